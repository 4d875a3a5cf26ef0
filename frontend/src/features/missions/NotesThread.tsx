import { Button, Group, Paper, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { ErrorAlert } from "../../app/ErrorAlert";
import { useAuth } from "../auth/AuthProvider";
import { Markdown } from "../../app/Markdown";
import { LIVE_REFRESH_MS } from "./api";
import { addNote, deleteNote, fetchNotes, notesKey } from "./notes";

const NOTE_MAX = 10_000;

/**
 * The notes of a mission (no `testId`) or of one test, newest first. Members write (Markdown,
 * rendered without raw HTML); each author may delete their own notes, and `canDeleteAll` (the
 * lead, mission.manage_all) anyone's: a pasted secret must go even if its author cannot act.
 * `readOnly` (an archived mission, which the API keeps as it is) offers neither.
 */
export function NotesThread({
  missionId,
  testId,
  canWrite,
  canDeleteAll,
  readOnly = false,
}: {
  missionId: string;
  testId?: string;
  canWrite: boolean;
  canDeleteAll: boolean;
  readOnly?: boolean;
}) {
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState("");
  const key = notesKey(missionId, testId);
  // Teammates write meanwhile: asked for again as the mission page refreshes.
  const notes = useQuery({
    queryKey: key,
    queryFn: () => fetchNotes(missionId, testId),
    refetchInterval: LIVE_REFRESH_MS,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });
  // Adding a note disables its button (sending, then an empty box) and deleting one removes its
  // button: the keyboard focus would drop to the page, out of the drawer around the thread. It
  // goes to the box for the next note instead, unless the user has put it somewhere already.
  const box = useRef<HTMLTextAreaElement>(null);
  const keepFocusHere = () => {
    const focused = document.activeElement;
    if (!focused || focused === document.body) box.current?.focus();
  };
  const add = useMutation({
    mutationFn: () => addNote(missionId, testId, draft.trim()),
    onSuccess: () => {
      setDraft("");
      keepFocusHere();
      return refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (noteId: string) => deleteNote(missionId, noteId),
    onSuccess: () => refresh().then(keepFocusHere),
  });
  const label = testId ? "New note on this test" : "New note on the mission";

  return (
    <Stack gap="xs" data-testid={testId ? "test-notes" : "mission-notes"}>
      {canWrite && !readOnly && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (draft.trim()) add.mutate();
          }}
        >
          <Stack gap="xs">
            <Textarea
              ref={box}
              label={label}
              description="Markdown. At most 10,000 characters."
              autosize
              minRows={2}
              maxLength={NOTE_MAX}
              value={draft}
              onChange={(event) => setDraft(event.currentTarget.value)}
            />
            <Group>
              <Button type="submit" size="xs" loading={add.isPending} disabled={!draft.trim()}>
                Add note
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {add.error && <ErrorAlert title="Note not added" error={add.error} />}
      {remove.error && <ErrorAlert title="Note not deleted" error={remove.error} />}
      {notes.error && <ErrorAlert title="Notes could not be loaded" error={notes.error} />}
      {notes.data?.length === 0 && (
        <Text size="sm" c="gray.7">
          No notes yet.
        </Text>
      )}
      <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {notes.data?.map((note) => (
          <Paper key={note.id} withBorder p="xs" component="li" data-testid="note">
            <Group justify="space-between" gap="xs" wrap="nowrap">
              <Text size="xs" c="gray.7">
                {note.created_by} · {new Date(note.created_at).toLocaleString()}
              </Text>
              {!readOnly && (canDeleteAll || me?.id === note.author_id) && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  color="red"
                  c="red.9"
                  loading={remove.isPending && remove.variables === note.id}
                  onClick={() => {
                    // For good: a note has no restore.
                    if (window.confirm("Delete this note? It cannot be restored.")) {
                      remove.mutate(note.id);
                    }
                  }}
                  aria-label={`Delete note of ${new Date(note.created_at).toLocaleString()}`}
                >
                  Delete
                </Button>
              )}
            </Group>
            <Markdown text={note.content} />
          </Paper>
        ))}
      </Stack>
    </Stack>
  );
}
