import { Modal, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError } from "../../api/problem";
import { type Mission, missionsKey, updateMission } from "./api";
import { MissionForm } from "./MissionForm";

/** Edit a mission's name, description, environment and dates (lead or mission.manage_all). */
export function EditMissionModal({
  mission,
  opened,
  onClose,
}: {
  mission: Mission;
  opened: boolean;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Edit mission"
      size="lg"
      closeButtonProps={{ "aria-label": "Close" }}
    >
      {/* A fresh form at each opening (even one during the closing transition), filled from
          the mission as loaded then. */}
      <EditMissionForm key={String(opened)} mission={mission} onDone={onClose} />
    </Modal>
  );
}

/**
 * The save names the version the form was filled from. If someone changed the mission
 * meanwhile, the API answers 412 and nothing is overwritten: the dialog says so, and reopening
 * it loads their version.
 */
function EditMissionForm({ mission, onDone }: { mission: Mission; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [baseVersion] = useState(mission.version);
  const mutation = useMutation({
    mutationFn: (fields: Parameters<typeof updateMission>[1]) =>
      updateMission(mission.id, fields, baseVersion),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: missionsKey });
      onDone();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 412) {
        queryClient.invalidateQueries({ queryKey: missionsKey });
      }
    },
  });
  const stale = mutation.error instanceof ApiError && mutation.error.status === 412;
  return (
    <>
      <MissionForm
        mission={mission}
        submitLabel="Save mission"
        errorTitle={stale ? "Changed by someone else" : "Not saved"}
        pending={mutation.isPending}
        error={mutation.error}
        onSubmit={(fields) => mutation.mutate(fields)}
      />
      {stale ? (
        <Text size="sm" mt="sm">
          Close this dialog and open it again to see their version, then make your change again.
        </Text>
      ) : null}
    </>
  );
}
