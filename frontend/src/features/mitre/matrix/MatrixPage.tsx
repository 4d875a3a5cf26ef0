import { Alert, Anchor, Group, Loader, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useDeferredValue, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ErrorAlert } from "../../../app/ErrorAlert";
import { useTableParams } from "../../../app/useTableParams";
import { useAuth } from "../../auth/AuthProvider";
import {
  DEFAULT_DOMAIN,
  asDomain,
  fetchMatrix,
  fetchMitreStatus,
  matrixQueryKey,
  mitreStatusQueryKey,
} from "../api";
import { resultCount, searchMatrix } from "./search";
import { TacticColumn } from "./TacticColumn";
import { TechniqueDrawer } from "./TechniqueDrawer";
import classes from "./Matrix.module.css";

/** The matrix's filters, kept in the URL by the shared table-params hook. */
const MATRIX_TABLE = { filters: { q: "", domain: "" } };

/** The ATT&CK matrix: tactic columns, technique cells, search, and a detail drawer. */
export default function MatrixPage() {
  const [params, setParams] = useSearchParams();
  const table = useTableParams(MATRIX_TABLE);
  const status = useQuery({ queryKey: mitreStatusQueryKey, queryFn: fetchMitreStatus });
  const domains = status.data?.domains.map((entry) => entry.domain) ?? [];
  // The URL's domain, else enterprise when synced (or nothing is), else the first synced one.
  const domain =
    asDomain(table.filters.domain) ??
    (domains.length === 0 || domains.includes(DEFAULT_DOMAIN) ? DEFAULT_DOMAIN : null) ??
    asDomain(domains[0]) ??
    DEFAULT_DOMAIN;

  const matrix = useQuery({
    queryKey: matrixQueryKey(domain),
    queryFn: () => fetchMatrix(domain),
    enabled: status.isSuccess,
  });

  const query = table.filters.q;
  const deferredQuery = useDeferredValue(query);
  const search = useMemo(
    () => (matrix.data ? searchMatrix(matrix.data, deferredQuery) : null),
    [matrix.data, deferredQuery],
  );
  // Cells the user folded/unfolded by hand, relative to the default (unfolded when a
  // subtechnique matches the search). Forgotten when the search changes.
  const [toggled, setToggled] = useState<{ query: string; keys: Set<string> }>({
    query: "",
    keys: new Set(),
  });
  const toggledKeys = toggled.query === deferredQuery ? toggled.keys : new Set<string>();

  const isExpanded = useCallback(
    (key: string, techniqueId: string) =>
      (search?.parents.has(techniqueId) ?? false) !== toggledKeys.has(key),
    [search, toggledKeys],
  );
  const onToggle = (key: string) => {
    const keys = new Set(toggledKeys);
    if (!keys.delete(key)) keys.add(key);
    setToggled({ query: deferredQuery, keys });
  };

  const updateParams = (changes: Record<string, string | null>, replace = false) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    setParams(next, { replace });
  };

  const openTechnique = (techniqueId: string, subtechniqueId?: string) =>
    updateParams({ technique: techniqueId, sub: subtechniqueId ?? null });

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>ATT&CK matrix</Title>
          {matrix.data && (
            <Text size="sm" c="dimmed">
              {matrix.data.domain} {matrix.data.version ? `v${matrix.data.version}` : ""}
            </Text>
          )}
        </div>
        {domains.length > 1 && (
          <Select
            label="Domain"
            data={domains}
            value={domain}
            // One write: the open technique belongs to the domain being left.
            onChange={(value) => updateParams({ domain: value, technique: null, sub: null })}
            allowDeselect={false}
            w={220}
          />
        )}
      </Group>

      <TextInput
        label="Search techniques"
        description="By ATT&CK ID or name, e.g. T1059 or PowerShell. Matches are highlighted, the rest dimmed."
        type="search"
        value={query}
        onChange={(event) => table.setFilter("q", event.currentTarget.value)}
        maw={480}
      />
      <Text size="sm" role="status" aria-live="polite" data-testid="search-summary">
        {search ? `${resultCount(search)} matching techniques and subtechniques` : ""}
      </Text>

      <MatrixBody
        loading={status.isPending || matrix.isPending}
        error={status.error ?? matrix.error}
        empty={matrix.data?.tactics.length === 0}
      >
        {matrix.data && (
          <div
            className={classes.scroller}
            tabIndex={0}
            aria-label="ATT&CK matrix, scrolls sideways"
          >
            <div className={classes.columns}>
              {matrix.data.tactics.map((tactic) => (
                <TacticColumn
                  key={tactic.external_id}
                  tactic={tactic}
                  search={search}
                  query={deferredQuery}
                  isExpanded={isExpanded}
                  onToggle={onToggle}
                  onOpen={openTechnique}
                />
              ))}
            </div>
          </div>
        )}
      </MatrixBody>

      <TechniqueDrawer
        techniqueId={params.get("technique")}
        subtechniqueId={params.get("sub")}
        onClose={() => updateParams({ technique: null, sub: null })}
      />
    </Stack>
  );
}

function MatrixBody({
  loading,
  error,
  empty,
  children,
}: {
  loading: boolean;
  error: unknown;
  empty: boolean;
  children: React.ReactNode;
}) {
  const { can } = useAuth();
  if (error) return <ErrorAlert title="Could not load the matrix" error={error} />;
  if (loading) return <Loader aria-label="Loading the matrix" />;
  if (empty) {
    return (
      <Alert color="gray" title="No ATT&CK data">
        The catalogue is empty.{" "}
        {can("mitre.sync") ? (
          <Anchor component={Link} to="/admin/mitre">
            Sync it now.
          </Anchor>
        ) : (
          "Ask an administrator to sync it."
        )}
      </Alert>
    );
  }
  return children;
}
