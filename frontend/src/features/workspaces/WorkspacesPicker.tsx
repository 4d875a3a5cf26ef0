import { MultiSelect } from "@mantine/core";
import type { MultiSelectProps } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { Workspace } from "../../api/types";
import { NothingFound } from "../../app/NothingFound";
import { fetchWorkspaces, workspacesQueryKey } from "./api";

/**
 * Every workspace the caller may see, when there are several to choose from (`workspaces` is
 * undefined otherwise: a single team never meets workspaces, everyone is in the default one).
 */
export function useChoosableWorkspaces(): { workspaces?: Workspace[]; error: Error | null } {
  const query = useQuery({ queryKey: workspacesQueryKey, queryFn: () => fetchWorkspaces() });
  const several = (query.data?.length ?? 0) > 1;
  return { workspaces: several ? query.data : undefined, error: query.error };
}

/** The workspaces someone is placed in (invited or created); none chosen: the default one. */
export function WorkspacesPicker({
  workspaces,
  ...input
}: { workspaces: Workspace[] } & Omit<MultiSelectProps, "data">) {
  return (
    <MultiSelect
      label="Workspaces"
      placeholder="The default workspace"
      data={workspaces.map((workspace) => ({ value: workspace.id, label: workspace.name }))}
      searchable
      clearable
      nothingFoundMessage={<NothingFound>No such workspace</NothingFound>}
      {...input}
    />
  );
}
