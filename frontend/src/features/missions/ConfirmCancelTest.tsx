import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import type { MissionTest } from "./api";

/**
 * Cancelling a test cannot be taken back (a cancelled run is only ever retested), so the tests
 * table's state menu asks first: one slip of the arrow keys in the menu would cancel it.
 */
export function ConfirmCancelTest({
  test,
  onConfirm,
  onClose,
}: {
  test: MissionTest | null;
  onConfirm: (test: MissionTest) => void;
  onClose: () => void;
}) {
  return (
    <Modal opened={test !== null} onClose={onClose} title="Cancel this test?">
      {test && (
        <Stack>
          <Text size="sm">
            Cancel <strong>{test.name}</strong>? A cancelled test is not started again: only a
            retest runs it anew.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} data-autofocus>
              Keep it
            </Button>
            <Button
              color="red"
              onClick={() => {
                onConfirm(test);
                onClose();
              }}
            >
              Cancel test
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
