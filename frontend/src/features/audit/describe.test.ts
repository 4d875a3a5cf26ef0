import { describe, expect, it } from "vitest";
import { formatDateTime } from "../../app/format";
import { describeAction, describeChanges } from "./describe";

describe("describeAction", () => {
  it("words a row change by its verb and object", () => {
    expect(describeAction({ action: "mission_test.update", object_type: "mission_test" })).toBe(
      "changed the mission test",
    );
    expect(describeAction({ action: "mission.restore", object_type: "mission" })).toBe(
      "restored the mission",
    );
    expect(
      describeAction({ action: "mission_test.detections_replaced", object_type: "mission_test" }),
    ).toBe("recorded the detections of the mission test");
    expect(describeAction({ action: "api_token.create", object_type: "api_token" })).toBe(
      "created the API token",
    );
  });

  it("words account events, and keeps an unknown verb readable", () => {
    expect(describeAction({ action: "auth.login_failed", object_type: "user" })).toBe(
      "failed to sign in",
    );
    expect(describeAction({ action: "auth.password_reset", object_type: "user" })).toBe(
      "reset the password of",
    );
    expect(describeAction({ action: "setting.frobbed_twice", object_type: "setting" })).toBe(
      "frobbed twice the setting",
    );
  });
});

describe("describeChanges", () => {
  const names = new Map([
    ["level-1", "Alerted"],
    ["tool-1", "EDR"],
  ]);

  it("shows each field from → to, with names for known ids", () => {
    expect(
      describeChanges(
        {
          state: { from: "pending", to: "in_progress" },
          detection_level_id: { from: null, to: "level-1" },
          is_active: { from: true, to: false },
        },
        names,
      ),
    ).toEqual([
      "state: Pending → In progress",
      "detection level: — → Alerted",
      "is active: yes → no",
    ]);
  });

  it("shows collections as added and removed, and per-tool outcomes by name", () => {
    expect(
      describeChanges(
        {
          groups: { added: ["Operators"], removed: ["Analysts"] },
          detections: { from: {}, to: { "tool-1": "level-1" } },
        },
        names,
      ),
    ).toEqual(["groups: + Operators − Analysts", "detections: — → EDR: Alerted"]);
  });

  it("names a test's states by their labels, times as the app shows them, users by email", () => {
    const red = "79d8b094-5b0a-4c4e-9f55-0a1b2c3d4e5f";
    const at = "2026-12-01T22:39:41.034217+00:00";
    expect(
      describeChanges(
        {
          state: { from: "in_progress", to: "waiting_blue" },
          executed_by: { from: null, to: red },
          executed_at: { from: null, to: at },
          lead_id: { from: red, to: null },
        },
        new Map([...names, [red, "rob@acme.test"]]),
      ),
    ).toEqual([
      "state: In progress → Waiting for blue",
      "executed by: — → rob@acme.test",
      `executed at: — → ${formatDateTime(at)}`,
      "lead: rob@acme.test → —",
    ]);
    expect(formatDateTime(at)).not.toContain("T22:39");
  });

  it("says 'a user' and the id's start for a user it cannot name", () => {
    expect(
      describeChanges(
        { updated_by: { from: null, to: "79d8b094-5b0a-4c4e-9f55-0a1b2c3d4e5f" } },
        names,
      ),
    ).toEqual(["updated by: — → a user (79d8b094)"]);
  });

  it("has nothing to say about an event without changes", () => {
    expect(describeChanges(null, names)).toEqual([]);
  });
});
