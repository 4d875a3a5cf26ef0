import { Badge, Loader } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { ErrorAlert } from "../../app/ErrorAlert";
import { Facts } from "./Facts";
import { HomeCard } from "./HomeCard";
import { databaseQueryKey, fetchDatabaseStatus } from "./api";

/** Reachability, migration revision and table count from /diag/db (needs `diag.read`). */
export function DatabaseCard() {
  const query = useQuery({ queryKey: databaseQueryKey, queryFn: fetchDatabaseStatus });

  return (
    <HomeCard id="database" title="Database">
      {query.isPending ? (
        <Loader size="sm" aria-label="Loading database status" />
      ) : query.error ? (
        <ErrorAlert title="Database status unavailable" error={query.error} />
      ) : (
        <Facts
          items={[
            {
              label: "Status",
              testId: "db-reachable",
              value: query.data.reachable ? (
                <Badge color="green">Reachable</Badge>
              ) : (
                <Badge color="red">Unreachable</Badge>
              ),
            },
            { label: "Revision", testId: "db-revision", value: query.data.alembic_revision ?? "—" },
            { label: "Tables", testId: "db-table-count", value: query.data.table_count ?? "—" },
          ]}
        />
      )}
    </HomeCard>
  );
}
