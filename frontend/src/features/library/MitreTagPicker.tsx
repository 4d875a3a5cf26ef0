import { MultiSelect } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { MitreTagIn } from "../../api/types";
import { NothingFound } from "../../app/NothingFound";
import { type MitreOption, searchMitre } from "./api";

const KIND_LABELS = { tactic: "tactic", technique: "technique", subtechnique: "sub-technique" };

/** `kind:external_id`, the picker's value for one tag. */
export function tagValue(tag: MitreTagIn): string {
  return `${tag.kind}:${tag.external_id}`;
}

export function tagFromValue(value: string): MitreTagIn {
  const [kind, externalId] = value.split(":");
  return { kind: kind as MitreTagIn["kind"], external_id: externalId };
}

function optionLabel(option: MitreOption): string {
  return `${option.external_id} ${option.name} (${KIND_LABELS[option.kind]})`;
}

/**
 * Pick MITRE tags by typing an id or a name: tactics, techniques and sub-techniques are searched
 * on the server as you type; the chosen tags keep their labels while other searches run.
 * `error` is about the whole set; `tagErrors` (by `tagValue`) are each shown naming its tag.
 */
export function MitreTagPicker({
  value,
  onChange,
  error,
  tagErrors = {},
}: {
  value: MitreOption[];
  onChange: (tags: MitreOption[]) => void;
  error?: string;
  tagErrors?: Record<string, string>;
}) {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const results = useQuery({
    queryKey: ["mitre", "tag-search", debounced],
    queryFn: () => searchMitre(debounced),
    enabled: debounced.length > 0,
    staleTime: 60_000,
  });

  const known = useMemo(() => {
    const byValue = new Map<string, MitreOption>();
    for (const option of [...value, ...(results.data ?? [])]) byValue.set(tagValue(option), option);
    return byValue;
  }, [value, results.data]);

  // One line per tag in error, naming it: the pills cannot carry a message of their own.
  const lines = [
    ...(error ? [error] : []),
    ...value.flatMap((tag) => {
      const message = tagErrors[tagValue(tag)];
      return message ? [`${tag.external_id} ${tag.name}: ${message}`] : [];
    }),
  ];

  return (
    <MultiSelect
      label="MITRE ATT&CK tags"
      description="Search tactics, techniques and sub-techniques by id or name."
      placeholder={value.length ? undefined : "e.g. T1059 or PowerShell"}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      // The server already filtered: show every result it sent.
      filter={({ options }) => options}
      nothingFoundMessage={
        // Only for what is typed now: just after a pick the last search's results are all
        // picked (hidden), and that is not "nothing matches".
        debounced && debounced === search.trim() && !results.isFetching ? (
          <NothingFound>No tactic or technique matches.</NothingFound>
        ) : undefined
      }
      data={[...known.entries()].map(([optionValue, option]) => ({
        value: optionValue,
        label: optionLabel(option),
      }))}
      value={value.map(tagValue)}
      onChange={(values) => {
        onChange(values.map((item) => known.get(item)).filter((o): o is MitreOption => !!o));
        setSearch("");
      }}
      error={
        lines.length > 0 &&
        lines.map((line) => (
          <span key={line} style={{ display: "block" }}>
            {line}
          </span>
        ))
      }
      hidePickedOptions
      maxDropdownHeight={280}
      data-testid="mitre-tag-picker"
    />
  );
}
