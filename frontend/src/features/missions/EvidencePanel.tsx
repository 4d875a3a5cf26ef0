import {
  Badge,
  Button,
  Group,
  Image,
  Paper,
  Progress,
  Select,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import type { ClipboardEvent, DragEvent } from "react";
import { DeletedList } from "../../app/DeletedList";
import { ErrorAlert } from "../../app/ErrorAlert";
import { UndoAlert } from "../../app/UndoAlert";
import { useAuth } from "../auth/AuthProvider";
import { LIVE_REFRESH_MS } from "./api";
import type { Role } from "./api";
import {
  asDataUrl,
  deleteEvidence,
  restoreEvidence,
  downloadEvidence,
  evidenceKey,
  fetchEvidence,
  fetchEvidenceBlob,
  uploadEvidence,
} from "./evidence";
import type { Evidence, EvidenceCategory } from "./evidence";

interface Upload {
  key: number;
  name: string;
  fraction: number;
  error?: unknown;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A file as its buttons name it: red and blue often upload files of one name (`siem.log`,
 * pasted screenshots), so the name alone would not tell their Download or Delete apart. */
function describe(evidence: Evidence): string {
  return `${evidence.filename} (${evidence.category}, ${evidence.created_by})`;
}

/** A pasted screenshot has no useful name: give it one with the time it was taken. */
function named(file: File): File {
  if (file.name && file.name !== "image.png") return file;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const extension = file.type.split("/")[1] ?? "png";
  return new File([file], `screenshot-${stamp}.${extension}`, { type: file.type });
}

/**
 * A test's evidence: drop files or paste a screenshot (red, blue and the lead), each upload with
 * its progress; the list with image previews, downloads and deletes (the uploader or the lead).
 * The server decides the rest: type allow-list (415), size cap (413), category by role (403).
 * `readOnly` (an archived mission) offers no upload, delete or restore: the list and downloads.
 */
export function EvidencePanel({
  missionId,
  testId,
  role,
  canDownload,
  readOnly = false,
}: {
  missionId: string;
  testId: string;
  role: Role;
  canDownload: boolean;
  readOnly?: boolean;
}) {
  const { me } = useAuth();
  const queryClient = useQueryClient();
  const key = evidenceKey(missionId, testId);
  // Teammates add evidence meanwhile: asked for again as the mission page refreshes.
  const files = useQuery({
    queryKey: key,
    queryFn: () => fetchEvidence(missionId, testId),
    refetchInterval: LIVE_REFRESH_MS,
  });
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [category, setCategory] = useState<EvidenceCategory>("red");
  const [caption, setCaption] = useState("");
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const nextKey = useRef(0);
  const canUpload = !readOnly && (role === "lead" || role === "red" || role === "blue");

  const refresh = () => queryClient.invalidateQueries({ queryKey: key });
  // The file just deleted, until its Undo is used or dismissed.
  const [deleted, setDeleted] = useState<Evidence | null>(null);
  const remove = useMutation({
    mutationFn: (evidence: Evidence) => deleteEvidence(missionId, evidence.id),
    onSuccess: (_, evidence) => {
      setDeleted(evidence);
      return refresh();
    },
  });
  const download = useMutation({
    mutationFn: (evidence: Evidence) => downloadEvidence(missionId, evidence),
  });

  const update = (uploadKey: number, change: Partial<Upload>) =>
    setUploads((all) =>
      all.map((item) => (item.key === uploadKey ? { ...item, ...change } : item)),
    );

  const send = (chosen: File[]) => {
    const sentCaption = caption;
    for (const original of chosen) {
      const file = named(original);
      const uploadKey = nextKey.current++;
      setUploads((all) => [...all, { key: uploadKey, name: file.name, fraction: 0 }]);
      uploadEvidence(
        missionId,
        testId,
        file,
        {
          category: role === "lead" ? category : undefined,
          caption: sentCaption.trim() || undefined,
        },
        (fraction) => update(uploadKey, { fraction }),
      )
        .then(() => {
          setUploads((all) => all.filter((item) => item.key !== uploadKey));
          // The caption went with this file; one typed meanwhile is for the next.
          setCaption((current) => (current === sentCaption ? "" : current));
          queryClient.invalidateQueries({ queryKey: key });
        })
        .catch((error: unknown) => update(uploadKey, { error }));
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    send(Array.from(event.dataTransfer.files));
  };
  const onPaste = (event: ClipboardEvent) => {
    const pasted = Array.from(event.clipboardData.files);
    if (pasted.length === 0) return;
    event.preventDefault();
    send(pasted);
  };

  return (
    <Stack gap="xs" data-testid="evidence">
      {canUpload && (
        <Paper
          withBorder
          p="sm"
          role="region"
          aria-label="Evidence upload: drop files here, or focus and paste a screenshot"
          tabIndex={0}
          // Paper resets the outline: without Mantine's focus ring a keyboard user tabbing in
          // to paste a screenshot cannot see that the zone has the focus.
          className="mantine-focus-auto"
          data-testid="evidence-dropzone"
          bg={dragging ? "violet.0" : undefined}
          style={{ borderStyle: "dashed" }}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          onPaste={onPaste}
        >
          <Stack gap="xs">
            <Text size="sm">Drop files here, or click here and paste a screenshot (Ctrl+V).</Text>
            <Group gap="xs" align="end">
              {role === "lead" && (
                <Select
                  label="Category"
                  size="xs"
                  data={[
                    { value: "red", label: "Red" },
                    { value: "blue", label: "Blue" },
                  ]}
                  value={category}
                  allowDeselect={false}
                  onChange={(value) => setCategory((value as EvidenceCategory) ?? "red")}
                />
              )}
              <TextInput
                label="Caption (optional)"
                size="xs"
                maxLength={500}
                value={caption}
                onChange={(event) => setCaption(event.currentTarget.value)}
              />
              <Button size="xs" variant="light" onClick={() => input.current?.click()}>
                Choose files
              </Button>
              <input
                ref={input}
                type="file"
                multiple
                hidden
                aria-label="Evidence files"
                data-testid="evidence-input"
                onChange={(event) => {
                  send(Array.from(event.currentTarget.files ?? []));
                  event.currentTarget.value = "";
                }}
              />
            </Group>
          </Stack>
        </Paper>
      )}
      {uploads.map((upload) => (
        <Stack key={upload.key} gap={4} data-testid="evidence-upload">
          <Text size="xs">{upload.name}</Text>
          {upload.error ? (
            <ErrorAlert title={`${upload.name} was not uploaded`} error={upload.error} />
          ) : (
            <Progress
              value={Math.round(upload.fraction * 100)}
              aria-label={`Uploading ${upload.name}`}
              size="sm"
            />
          )}
        </Stack>
      ))}
      {files.error && <ErrorAlert title="Evidence could not be loaded" error={files.error} />}
      {remove.error && <ErrorAlert title="Not deleted" error={remove.error} />}
      {deleted && (
        <UndoAlert
          key={deleted.id}
          message={`Deleted ${deleted.filename}.`}
          // The Delete button went with its file: the focus goes to Undo, not to the page
          // (out of the drawer around the panel).
          focusUndo
          undo={() => restoreEvidence(missionId, deleted.id).then(refresh)}
          onDone={() => setDeleted(null)}
        />
      )}
      {download.error && <ErrorAlert title="Not downloaded" error={download.error} />}
      {files.data?.length === 0 && (
        <Text size="sm" c="gray.7">
          No evidence yet.
        </Text>
      )}
      {!canDownload && !!files.data?.length && (
        <Text size="sm" c="gray.7" data-testid="evidence-members-only">
          Only the mission&apos;s members can open or download its evidence.
        </Text>
      )}
      <Stack gap="xs" component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {files.data?.map((evidence) => (
          <Paper key={evidence.id} withBorder p="xs" component="li" data-testid="evidence-file">
            <Group justify="space-between" wrap="nowrap" align="start">
              <Stack gap={2}>
                <Group gap="xs">
                  <Text size="sm" fw={600}>
                    {evidence.filename}
                  </Text>
                  <Badge size="sm" color={evidence.category === "red" ? "red.9" : "blue.9"}>
                    {evidence.category}
                  </Badge>
                </Group>
                <Text size="xs" c="gray.7">
                  {formatSize(evidence.size)} · {evidence.content_type} · {evidence.created_by}
                </Text>
                {evidence.caption && <Text size="sm">{evidence.caption}</Text>}
              </Stack>
              <Group gap="xs" wrap="nowrap">
                {canDownload && (
                  <Button
                    size="compact-xs"
                    variant="light"
                    onClick={() => download.mutate(evidence)}
                    aria-label={`Download ${describe(evidence)}`}
                  >
                    Download
                  </Button>
                )}
                {!readOnly && (role === "lead" || evidence.uploader_id === me?.id) && (
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    color="red"
                    onClick={() => remove.mutate(evidence)}
                    aria-label={`Delete ${describe(evidence)}`}
                  >
                    Delete
                  </Button>
                )}
              </Group>
            </Group>
            {canDownload && evidence.content_type.startsWith("image/") && (
              <Preview missionId={missionId} evidence={evidence} />
            )}
          </Paper>
        ))}
      </Stack>
      {canUpload && (
        // The lead sees every deleted file, a red or blue member their own (what each may restore).
        <DeletedList
          what="evidence files"
          queryKey={key}
          fetchWithDeleted={async () =>
            (await fetchEvidence(missionId, testId, { include_deleted: true })).map((evidence) => ({
              ...evidence,
              name: evidence.filename,
            }))
          }
          restore={(evidence) => restoreEvidence(missionId, evidence.id)}
          describe={(evidence) =>
            `${evidence.category} · ${formatSize(evidence.size)} · ${evidence.created_by}`
          }
          unrestorable={(evidence) => (evidence.purged_at ? "Purged: its content is gone." : null)}
        />
      )}
    </Stack>
  );
}

function Preview({ missionId, evidence }: { missionId: string; evidence: Evidence }) {
  const preview = useQuery({
    queryKey: ["missions", missionId, "evidence-preview", evidence.id],
    queryFn: () => fetchEvidenceBlob(missionId, evidence.id).then(asDataUrl),
    staleTime: Infinity,
  });
  if (!preview.data) return null;
  return (
    <Image
      src={preview.data}
      alt={evidence.caption || `Preview of ${evidence.filename}`}
      mah={240}
      w="auto"
      fit="contain"
      mt="xs"
      data-testid="evidence-preview"
    />
  );
}
