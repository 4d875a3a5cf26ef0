import { describe, expect, it } from "vitest";
import { describeValue } from "./describeValue";

describe("describeValue", () => {
  it("says a setting's default in words, as its field shows it", () => {
    expect(describeValue(false)).toBe("off");
    expect(describeValue(true)).toBe("on");
    expect(describeValue("")).toBe("none");
    expect(describeValue(null)).toBe("none");
    expect(describeValue(26214400)).toBe("26 214 400");
    expect(describeValue(30)).toBe("30");
    expect(describeValue("ACME")).toBe("ACME");
    expect(describeValue(["a"])).toBe('["a"]');
  });
});
