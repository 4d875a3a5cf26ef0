import {
  Alert,
  Anchor,
  Button,
  Group,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
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
import { domainName } from "../catalogueState";
import { resultCount, searchMatrix } from "./search";
import { TacticColumn } from "./TacticColumn";
import { TechniqueDrawer } from "./TechniqueDrawer";
import classes from "./Matrix.module.css";

/** The matrix's filters and layout, kept in the URL by the shared table-params hook. */
const MATRIX_TABLE = { filters: { q: "", domain: "", layout: "compact" } };

const LAYOUTS = [
  { value: "compact", label: "Compact" },
  { value: "readable", label: "Readable" },
];

/** Which cells show their subtechniques, beyond what the search unfolds. */
interface Folding {
  query: string;
  /** "Expand all" / "Collapse all" pressed (null: follow the search). */
  all: boolean | null;
  /** Cells folded or unfolded by hand, relative to that default. */
  keys: Set<string>;
}

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
  // By default a cell unfolds when one of its subtechniques matches the search; "Expand all"
  // and "Collapse all" override that, and a cell's own toggle overrides both. All of it is
  // forgotten when the search changes.
  const [folding, setFolding] = useState<Folding>({ query: "", all: null, keys: new Set() });
  const current =
    folding.query === deferredQuery
      ? folding
      : { query: deferredQuery, all: null, keys: new Set<string>() };

  const isExpanded = useCallback(
    (key: string, techniqueId: string) =>
      (current.all ?? search?.parents.has(techniqueId) ?? false) !== current.keys.has(key),
    [search, current],
  );
  const onToggle = (key: string) => {
    const keys = new Set(current.keys);
    if (!keys.delete(key)) keys.add(key);
    setFolding({ ...current, keys });
  };
  const foldAll = (all: boolean) => setFolding({ query: deferredQuery, all, keys: new Set() });
  const compact = table.filters.layout !== "readable";

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
            <Text size="sm" c="gray.7">
              {matrix.data.domain} {matrix.data.version ? `v${matrix.data.version}` : ""}
            </Text>
          )}
        </div>
        {domains.length > 1 && (
          <Select
            label="Domain"
            data={domains.map((entry) => ({ value: entry, label: domainName(entry) }))}
            value={domain}
            // One write: the open technique belongs to the domain being left.
            onChange={(value) => updateParams({ domain: value, technique: null, sub: null })}
            allowDeselect={false}
            w={220}
          />
        )}
      </Group>

      <Group align="flex-end" gap="md">
        <TextInput
          label="Search techniques"
          description="By ATT&CK ID or name, e.g. T1059 or PowerShell. Matches are highlighted, the rest dimmed."
          type="search"
          value={query}
          onChange={(event) => table.setFilter("q", event.currentTarget.value)}
          w={480}
          maw="100%"
        />
        <Stack gap={4}>
          <Text component="span" size="sm" fw={500} id="matrix-layout-label">
            Layout
          </Text>
          <SegmentedControl
            aria-labelledby="matrix-layout-label"
            data={LAYOUTS}
            value={compact ? "compact" : "readable"}
            onChange={(value) => table.setFilter("layout", value)}
          />
        </Stack>
        <Group gap="xs">
          <Button variant="default" onClick={() => foldAll(true)}>
            Expand all
          </Button>
          <Button variant="default" onClick={() => foldAll(false)}>
            Collapse all
          </Button>
        </Group>
      </Group>
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
            className={`${classes.scroller} ${compact ? classes.compact : ""}`}
            tabIndex={0}
            aria-label="ATT&CK matrix, scrolls both ways"
            data-testid="matrix-scroller"
            data-layout={compact ? "compact" : "readable"}
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
