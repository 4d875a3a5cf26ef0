/** Notes on a mission (no test) or on one of its tests: fetchers, mutations, query keys. */
import { api, unwrap } from "../../api/client";
import { allPages } from "../../api/pages";
import type { components } from "../../api/schema";

export type Note = components["schemas"]["NoteOut"];

export const notesKey = (missionId: string, testId?: string) =>
  ["missions", missionId, "notes", testId ?? "mission"] as const;

/** Every note of the mission (no test) or of one test, newest first. */
export function fetchNotes(missionId: string, testId?: string): Promise<Note[]> {
  return allPages((query) =>
    unwrap(
      testId
        ? api.GET("/api/v1/missions/{mission_id}/tests/{test_id}/notes", {
            params: { path: { mission_id: missionId, test_id: testId }, query },
          })
        : api.GET("/api/v1/missions/{mission_id}/notes", {
            params: { path: { mission_id: missionId }, query },
          }),
    ),
  );
}

export function addNote(missionId: string, testId: string | undefined, content: string) {
  return unwrap(
    testId
      ? api.POST("/api/v1/missions/{mission_id}/tests/{test_id}/notes", {
          params: { path: { mission_id: missionId, test_id: testId } },
          body: { content },
        })
      : api.POST("/api/v1/missions/{mission_id}/notes", {
          params: { path: { mission_id: missionId } },
          body: { content },
        }),
  );
}

export function deleteNote(missionId: string, noteId: string) {
  return unwrap(
    api.DELETE("/api/v1/missions/{mission_id}/notes/{note_id}", {
      params: { path: { mission_id: missionId, note_id: noteId } },
    }),
  );
}
