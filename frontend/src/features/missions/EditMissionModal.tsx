import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { isConflict } from "../../api/problem";
import { EditModal } from "../../app/EditModal";
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
    <EditModal title="Edit mission" opened={opened} onClose={onClose}>
      <EditMissionForm mission={mission} onDone={onClose} />
    </EditModal>
  );
}

/** Saves with the version the form was filled from: a change made meanwhile is refused (412),
 * not overwritten, and reopening the dialog loads it. */
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
      if (isConflict(error)) queryClient.invalidateQueries({ queryKey: missionsKey });
    },
  });
  return (
    <MissionForm
      mission={mission}
      submitLabel="Save mission"
      errorTitle="Not saved"
      pending={mutation.isPending}
      error={mutation.error}
      onSubmit={(fields) => mutation.mutate(fields)}
    />
  );
}
