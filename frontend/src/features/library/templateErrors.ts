/**
 * A failed template save's 422 `errors`, placed where the form shows them. The API names one
 * item of a list by its index in the body sent: `references.1`, `mitre.2.external_id`,
 * `tags.0`; a whole list by its name (`mitre`: an id the catalogue does not hold). Each item's
 * message goes beside that item, not into one line for the whole form.
 */
import { ApiError } from "../../api/problem";

/** What a save sent, to tell which item an index names (the form may change meanwhile). */
export interface SentLists {
  /** The key of the form row of each reference sent (empty rows are not sent). */
  references: number[];
  /** Each MITRE tag sent, as the picker's value (`technique:T1059`). */
  mitre: string[];
  tags: string[];
}

export interface TemplateErrors {
  /** Plain fields (`name`, `description`, `platforms`…) and a whole list's (`mitre`, `tags`). */
  fields: Record<string, string>;
  /** By the reference row's key. */
  references: Record<number, string>;
  /** By the tag's picker value. */
  mitre: Record<string, string>;
  /** True when some message has no place in the form (the alert then shows the detail). */
  unplaced: boolean;
}

const NONE: TemplateErrors = { fields: {}, references: {}, mitre: {}, unplaced: false };

export function templateErrors(error: unknown, sent: SentLists): TemplateErrors {
  if (!(error instanceof ApiError) || !error.problem.errors) return NONE;
  const result: TemplateErrors = { fields: {}, references: {}, mitre: {}, unplaced: false };
  const add = (into: Record<string | number, string>, key: string | number, text: string) => {
    into[key] = into[key] ? `${into[key]} ${text}` : text;
  };
  for (const [key, messages] of Object.entries(error.problem.errors)) {
    const text = messages.join(" ");
    const [field, index] = key.split(".");
    const position = Number(index);
    if (index === undefined) {
      if (field === "_schema") result.unplaced = true;
      else add(result.fields, field, text);
    } else if (!Number.isInteger(position)) {
      result.unplaced = true;
    } else if (field === "references" && sent.references[position] !== undefined) {
      add(result.references, sent.references[position], text);
    } else if (field === "mitre" && sent.mitre[position] !== undefined) {
      add(result.mitre, sent.mitre[position], text);
    } else if (field === "tags" && sent.tags[position] !== undefined) {
      add(result.fields, "tags", `“${sent.tags[position]}”: ${text}`);
    } else {
      // `platforms.1`: the picker offers only valid values; say it on the whole field.
      add(result.fields, field, text);
    }
  }
  return result;
}
