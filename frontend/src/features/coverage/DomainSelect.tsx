import { Select } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { type MitreDomain, fetchMitreStatus, mitreStatusQueryKey } from "../mitre/api";
import { domainName } from "../mitre/catalogueState";
import { coverageDomain } from "./domain";

/**
 * The ATT&CK domain a coverage page draws (`coverageDomain`), kept in the URL's `domain`, and
 * how to change it. Null while the data names no domain and the catalogue's status is still
 * loading: drawing Enterprise meanwhile would flash the wrong matrix on an ICS-only instance.
 */
export function useCoverageDomain(
  domains: readonly string[] | undefined,
): [MitreDomain | null, (domain: MitreDomain) => void] {
  const [params, setParams] = useSearchParams();
  // The synced domains, for when nothing is tested yet (the data then names no domain).
  const status = useQuery({ queryKey: mitreStatusQueryKey, queryFn: fetchMitreStatus });
  const synced = (status.data?.domains ?? [])
    .filter((entry) => entry.counts.techniques > 0)
    .map((entry) => entry.domain);
  const choose = (domain: MitreDomain) => {
    const next = new URLSearchParams(params);
    next.set("domain", domain);
    setParams(next, { replace: true });
  };
  if (!domains?.length && status.isPending) return [null, choose];
  return [coverageDomain(domains, params.get("domain"), synced), choose];
}

/** A choice of the data's ATT&CK domains, shown only when it spans more than one. */
export function DomainSelect({
  domains,
  value,
  onChange,
}: {
  domains: readonly MitreDomain[];
  value: MitreDomain | null;
  onChange: (domain: MitreDomain) => void;
}) {
  if (domains.length < 2) return null;
  return (
    <Select
      label="ATT&CK domain"
      description="The matrix shows one domain at a time."
      data={domains.map((domain) => ({ value: domain, label: domainName(domain) }))}
      value={value}
      onChange={(domain) => {
        const chosen = domains.find((item) => item === domain);
        if (chosen) onChange(chosen);
      }}
      allowDeselect={false}
      w={240}
    />
  );
}
