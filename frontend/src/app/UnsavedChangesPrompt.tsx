import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useEffect } from "react";
import { useBlocker } from "react-router";

/**
 * Asks before a page with unsaved changes is left. Inside the app (a link, Back) react-router's
 * blocker holds the navigation (the app's router is a data router: createBrowserRouter) and a
 * dialog asks; closing or reloading the tab gets the browser's own question (`beforeunload`,
 * whose wording the browser chooses).
 */
export function UnsavedChangesPrompt({ when }: { when: boolean }) {
  const blocker = useBlocker(when);

  useEffect(() => {
    if (!when) return;
    const ask = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [when]);

  const stay = () => blocker.reset?.();
  return (
    <Modal opened={blocker.state === "blocked"} onClose={stay} title="Leave without saving?">
      <Stack>
        <Text size="sm">Your changes on this page are not saved. Leaving drops them.</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={stay} data-autofocus>
            Stay on this page
          </Button>
          <Button color="red" onClick={() => blocker.proceed?.()}>
            Leave without saving
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
