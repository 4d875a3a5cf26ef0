/**
 * Upload a bundle to POST /mitre/sync with XMLHttpRequest, which (unlike fetch) reports upload
 * progress. Same auth rules as the fetch client: bearer token, one refresh on 401.
 */
import { session } from "../../../api/client";
import { toApiError } from "../../../api/problem";
import type { MitreSyncResult } from "../../../api/types";

export interface UploadFields {
  file: File;
  expected_sha256?: string;
  allow_unverified?: boolean;
  version?: string;
}

export type UploadPhase = { phase: "uploading"; fraction: number } | { phase: "processing" };

interface XhrAnswer {
  status: number;
  body: unknown;
  retryAfter: string | null;
}

function send(
  form: FormData,
  token: string | null,
  onProgress: (phase: UploadPhase) => void,
): Promise<XhrAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/mitre/sync");
    xhr.setRequestHeader("Accept", "application/json");
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable)
        onProgress({ phase: "uploading", fraction: event.loaded / event.total });
    };
    // The bytes are all sent; the server now parses and imports the bundle.
    xhr.upload.onload = () => onProgress({ phase: "processing" });
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

function formFor(fields: UploadFields): FormData {
  const form = new FormData();
  form.append("file", fields.file);
  if (fields.expected_sha256) form.append("expected_sha256", fields.expected_sha256);
  if (fields.allow_unverified) form.append("allow_unverified", "true");
  if (fields.version) form.append("version", fields.version);
  return form;
}

export async function uploadBundle(
  fields: UploadFields,
  onProgress: (phase: UploadPhase) => void,
): Promise<MitreSyncResult> {
  onProgress({ phase: "uploading", fraction: 0 });
  const token = await session.accessTokenOrRefresh();
  let answer = await send(formFor(fields), token, onProgress);
  if (answer.status === 401 && token !== null && (await session.refresh())) {
    onProgress({ phase: "uploading", fraction: 0 });
    answer = await send(formFor(fields), await session.accessTokenOrRefresh(), onProgress);
  }
  if (answer.status < 200 || answer.status >= 300)
    throw toApiError(answer.body, answer.status, answer.retryAfter);
  return answer.body as MitreSyncResult;
}
