import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/problem";
import { type SentLists, templateErrors } from "./templateErrors";

function invalid(errors: Record<string, string[]>): ApiError {
  return new ApiError({ status: 422, detail: "Invalid input.", errors });
}

const NOTHING: SentLists = { references: [], mitre: [], tags: [] };

describe("templateErrors", () => {
  it("puts a reference's message on the row it was sent from", () => {
    // Rows 7 and 9 were sent (an empty row between was not): references.1 is row 9.
    const sent = { ...NOTHING, references: [7, 9] };
    const errors = templateErrors(invalid({ "references.1": ["Not a valid URL."] }), sent);
    expect(errors.references).toEqual({ 9: "Not a valid URL." });
    expect(errors.unplaced).toBe(false);
  });

  it("puts a MITRE tag's messages on the tag, and a whole-list message on the picker", () => {
    const sent = { ...NOTHING, mitre: ["tactic:TA0002", "technique:T1059", "technique:"] };
    const errors = templateErrors(
      invalid({
        "mitre.2.external_id": ["Length must be between 1 and 32."],
        "mitre.0.kind": ["Must be one of: tactic, technique, subtechnique."],
        mitre: ["Unknown technique: T9999."],
      }),
      sent,
    );
    expect(errors.mitre).toEqual({
      "tactic:TA0002": "Must be one of: tactic, technique, subtechnique.",
      "technique:": "Length must be between 1 and 32.",
    });
    expect(errors.fields).toEqual({ mitre: "Unknown technique: T9999." });
  });

  it("names a free tag by its value, and plain fields by name", () => {
    const long = "x".repeat(60);
    const errors = templateErrors(
      invalid({ "tags.1": ["Longer than 50."], name: ["May not be blank."] }),
      { ...NOTHING, tags: ["lolbin", long] },
    );
    expect(errors.fields).toEqual({
      name: "May not be blank.",
      tags: `“${long}”: Longer than 50.`,
    });
  });

  it("is empty for an error that is not the API's, or has no field errors", () => {
    expect(templateErrors(new Error("offline"), NOTHING).fields).toEqual({});
    expect(templateErrors(new ApiError({ status: 412 }), NOTHING).unplaced).toBe(false);
    expect(templateErrors(invalid({ _schema: ["Bad."] }), NOTHING).unplaced).toBe(true);
  });
});
