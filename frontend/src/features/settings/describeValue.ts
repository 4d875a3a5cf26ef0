/** A setting's value in words, as the form shows it: "off", "none", "26 214 400". */
export function describeValue(value: unknown): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  if (value === "" || value === null || value === undefined) return "none";
  if (typeof value === "number") return value.toLocaleString("en").replaceAll(",", " ");
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
