/**
 * The sentence an Atomic import writes above the table of input arguments it puts in a
 * template's procedure (docs/api.md, "How an Atomic test becomes a template").
 */
const ATOMIC_ARGUMENTS_TABLE = "Input arguments (written `#{name}` where they are used):";

/** Whether the procedure already lists the input arguments (type, default, description), so
 * that the template's details need not show them a second time. */
export function procedureListsArguments(procedure: string | null | undefined): boolean {
  return (procedure ?? "").split("\n").some((line) => line.trim() === ATOMIC_ARGUMENTS_TABLE);
}
