import { describe, expect, it } from "vitest";
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
  });

  it("words account events, and keeps an unknown verb readable", () => {
    expect(describeAction({ action: "auth.login_failed", object_type: "user" })).toBe(
      "failed to sign in",
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
      "state: pending → in_progress",
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

  it("has nothing to say about an event without changes", () => {
    expect(describeChanges(null, names)).toEqual([]);
  });
});
