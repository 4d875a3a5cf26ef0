import { Button, Group, Select, Switch, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useAuth } from "../auth/AuthProvider";
import { OPSEC_OPTIONS, PLATFORM_OPTIONS, fetchAllTactics, tacticsQueryKey } from "./api";
import { FILTER_KEYS, type FilterKey } from "./useTemplateFilters";

/** A text filter that writes to the URL when typing pauses (and on Enter). */
function TextFilter({
  label,
  value,
  onChange,
  placeholder,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
}) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  useEffect(() => {
    if (draft === value) return;
    const timer = window.setTimeout(() => onChange(draft), 300);
    return () => window.clearTimeout(timer);
  }, [draft, value, onChange]);
  return (
    <TextInput
      label={label}
      placeholder={placeholder}
      value={draft}
      onChange={(event) => setDraft(event.currentTarget.value)}
      onKeyDown={(event) => event.key === "Enter" && onChange(draft)}
    />
  );
}

/** Every list filter: text, tactic, technique, tag, platform, OPSEC (and deleted ones). */
export function TemplateFilters({
  params,
  set,
  clear,
}: {
  params: URLSearchParams;
  set: (key: FilterKey, value: string | null) => void;
  clear: () => void;
}) {
  const { can } = useAuth();
  const tactics = useQuery({ queryKey: tacticsQueryKey, queryFn: fetchAllTactics });
  const value = (key: FilterKey) => params.get(key) ?? "";
  const filtered = FILTER_KEYS.some((key) => params.get(key));

  return (
    <Group align="flex-end" gap="sm" wrap="wrap" role="search" aria-label="Filter templates">
      <TextFilter
        label="Search"
        placeholder="Name, description, procedure"
        value={value("q")}
        onChange={(text) => set("q", text)}
      />
      <Select
        label="Tactic"
        placeholder="Any tactic"
        searchable
        clearable
        data={(tactics.data?.items ?? []).map((tactic) => ({
          value: tactic.external_id,
          label: `${tactic.external_id} ${tactic.name}`,
        }))}
        value={value("tactic") || null}
        onChange={(tactic) => set("tactic", tactic)}
      />
      <TextFilter
        label="Technique"
        placeholder="e.g. T1059"
        value={value("technique")}
        onChange={(text) => set("technique", text.toUpperCase())}
      />
      <TextFilter label="Tag" value={value("tag")} onChange={(text) => set("tag", text)} />
      <Select
        label="Platform"
        placeholder="Any platform"
        clearable
        data={PLATFORM_OPTIONS}
        value={value("platform") || null}
        onChange={(platform) => set("platform", platform)}
      />
      <Select
        label="OPSEC"
        placeholder="Any level"
        clearable
        data={OPSEC_OPTIONS}
        value={value("opsec") || null}
        onChange={(opsec) => set("opsec", opsec)}
      />
      {can("test_template.delete") && (
        <Switch
          label="Show deleted"
          checked={value("deleted") === "1"}
          onChange={(event) => set("deleted", event.currentTarget.checked ? "1" : null)}
          mb={8}
        />
      )}
      {filtered && (
        <Button variant="subtle" onClick={clear}>
          Clear filters
        </Button>
      )}
    </Group>
  );
}
