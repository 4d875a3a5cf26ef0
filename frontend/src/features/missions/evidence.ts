/**
 * Evidence files on a mission test. Uploads go through XMLHttpRequest, which (unlike fetch)
 * reports upload progress; same auth as the fetch client (bearer token, one refresh on 401)
 * plus the tab's workspace.
 */
import { api, session, unwrap } from "../../api/client";
import { allPages } from "../../api/pages";
import { toApiError } from "../../api/problem";
import type { components } from "../../api/schema";
import { WORKSPACE_HEADER, getCurrentWorkspaceId } from "../../api/workspace";

export type Evidence = components["schemas"]["EvidenceOut"];
export type EvidenceCategory = Evidence["category"];

export const evidenceKey = (missionId: string, testId: string) =>
  ["missions", missionId, "evidence", testId] as const;

/** `include_deleted`: with the deleted files the caller may restore (the lead: all; a red or
 * blue member: their own). */
export function fetchEvidence(
  missionId: string,
  testId: string,
  query: { include_deleted?: boolean } = {},
): Promise<Evidence[]> {
  return allPages((page) =>
    unwrap(
      api.GET("/api/v1/missions/{mission_id}/tests/{test_id}/evidence", {
        params: { path: { mission_id: missionId, test_id: testId }, query: { ...query, ...page } },
      }),
    ),
  );
}

/** Soft: `restoreEvidence` brings it back until the purge removes its bytes. */
export function deleteEvidence(missionId: string, evidenceId: string) {
  return unwrap(
    api.DELETE("/api/v1/missions/{mission_id}/evidence/{evidence_id}", {
      params: { path: { mission_id: missionId, evidence_id: evidenceId } },
    }),
  );
}

export function restoreEvidence(missionId: string, evidenceId: string): Promise<Evidence> {
  return unwrap(
    api.POST("/api/v1/missions/{mission_id}/evidence/{evidence_id}/restore", {
      params: { path: { mission_id: missionId, evidence_id: evidenceId } },
    }),
  );
}

/** The file's bytes (members only), for a download or an image preview. */
export async function fetchEvidenceBlob(missionId: string, evidenceId: string): Promise<Blob> {
  const { data, error, response } = await api.GET(
    "/api/v1/missions/{mission_id}/evidence/{evidence_id}/download",
    { params: { path: { mission_id: missionId, evidence_id: evidenceId } }, parseAs: "blob" },
  );
  if (!response.ok) throw toApiError(error, response.status, null);
  return data as Blob;
}

/** Save the file under its (sanitised) name through a temporary link. */
export async function downloadEvidence(missionId: string, evidence: Evidence): Promise<void> {
  const blob = await fetchEvidenceBlob(missionId, evidence.id);
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = evidence.filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A data: URL of the bytes: the SPA's CSP allows data: images (not blob:). */
export function asDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

interface XhrAnswer {
  status: number;
  body: unknown;
  retryAfter: string | null;
}

function send(
  url: string,
  form: FormData,
  token: string | null,
  onProgress: (fraction: number) => void,
): Promise<XhrAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    const workspace = getCurrentWorkspaceId();
    if (workspace) xhr.setRequestHeader(WORKSPACE_HEADER, workspace);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      resolve({ status: xhr.status, body, retryAfter: xhr.getResponseHeader("Retry-After") });
    };
    xhr.onerror = () => reject(new Error("The upload failed: the server could not be reached."));
    xhr.onabort = () => reject(new Error("The upload was cancelled."));
    xhr.send(form);
  });
}

export async function uploadEvidence(
  missionId: string,
  testId: string,
  file: File,
  fields: { category?: EvidenceCategory; caption?: string },
  onProgress: (fraction: number) => void,
): Promise<Evidence> {
  const url = `/api/v1/missions/${missionId}/tests/${testId}/evidence`;
  const form = () => {
    const body = new FormData();
    body.append("file", file, file.name);
    if (fields.category) body.append("category", fields.category);
    if (fields.caption) body.append("caption", fields.caption);
    return body;
  };
  const token = await session.accessTokenOrRefresh();
  let answer = await send(url, form(), token, onProgress);
  if (answer.status === 401 && token !== null && (await session.refresh())) {
    onProgress(0);
    answer = await send(url, form(), await session.accessTokenOrRefresh(), onProgress);
  }
  if (answer.status < 200 || answer.status >= 300)
    throw toApiError(answer.body, answer.status, answer.retryAfter);
  return answer.body as Evidence;
}
