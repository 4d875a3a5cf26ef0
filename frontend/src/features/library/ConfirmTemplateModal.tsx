import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { QueryClient } from "@tanstack/react-query";
import type { TestTemplate } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { deleteTemplate, libraryQueryKey, restoreTemplate } from "./api";

export type TemplateAction = "delete" | "restore";

const COPY = {
  delete: {
    title: "Delete template",
    text: "It disappears from the library; scenarios that use it keep it, marked deleted, until it is restored.",
    button: "Delete template",
    color: "red",
  },
  restore: {
    title: "Restore template",
    text: "It comes back to the library and to the scenarios that use it.",
    button: "Restore template",
    color: "violet",
  },
} as const;

/**
 * "Delete this template?" / "Restore this template?" with the API's answer on failure.
 * `onDeleted` hears of a delete that went through (the page offers its Undo).
 */
export function ConfirmTemplateModal({
  target,
  onClose,
  onDeleted,
}: {
  target: { template: TestTemplate; action: TemplateAction } | null;
  onClose: () => void;
  onDeleted: (template: TestTemplate) => void;
}) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: async ({
      template,
      action,
    }: {
      template: TestTemplate;
      action: TemplateAction;
    }) => {
      if (action === "delete") await deleteTemplate(template.id);
      else await restoreTemplate(template.id);
    },
    onSuccess: async (_, { template, action }) => {
      await refreshLibrary(queryClient);
      if (action === "delete") onDeleted(template);
      close();
    },
  });
  const close = () => {
    mutation.reset();
    onClose();
  };
  const copy = target ? COPY[target.action] : COPY.delete;

  return (
    <Modal
      opened={target !== null}
      onClose={close}
      title={copy.title}
      closeButtonProps={{ "aria-label": "Close dialog" }}
    >
      {target && (
        <Stack>
          <Text size="sm">
            <strong>{target.template.name}</strong>: {copy.text}
          </Text>
          {mutation.error && <ErrorAlert title="That did not work" error={mutation.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={close} data-autofocus>
              Cancel
            </Button>
            <Button
              color={copy.color}
              loading={mutation.isPending}
              onClick={() => mutation.mutate(target)}
            >
              {copy.button}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

/** A template deleted or restored changes the library and the scenarios that use it. */
export async function refreshLibrary(queryClient: QueryClient) {
  await queryClient.invalidateQueries({ queryKey: libraryQueryKey });
  await queryClient.invalidateQueries({ queryKey: ["scenarios"] });
}
