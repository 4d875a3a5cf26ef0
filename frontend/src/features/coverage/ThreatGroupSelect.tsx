import { Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { NothingFound } from "../../app/NothingFound";
import { type ThreatGroup, fetchGroups } from "./api";

/** A searchable picker of the catalogue's threat groups (by id, name or alias); the value is
 * the group's ATT&CK id (G0016), given with the group chosen. */
export function ThreatGroupSelect({
  value,
  onChange,
  w,
}: {
  value: string | null;
  onChange: (group: string | null, chosen: ThreatGroup | null) => void;
  w?: number;
}) {
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 250);
  const groups = useQuery({
    queryKey: ["mitre", "groups", q],
    queryFn: () => fetchGroups(q),
  });
  return (
    <Select
      label="Threat group"
      description="Search by ATT&CK id, name or alias, e.g. G0016 or APT29."
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      data={(groups.data ?? []).map((item) => ({
        value: item.external_id,
        label: `${item.external_id} ${item.name}${item.aliases.length ? ` (${item.aliases.join(", ")})` : ""}`,
      }))}
      value={value}
      onChange={(external_id) =>
        onChange(external_id, groups.data?.find((item) => item.external_id === external_id) ?? null)
      }
      nothingFoundMessage={
        <NothingFound>{groups.isPending ? "Searching…" : "No group found"}</NothingFound>
      }
      w={w}
    />
  );
}
