import {
  Button,
  Checkbox,
  Group,
  Loader,
  Paper,
  Radio,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { FormEvent } from "react";
import { type MitreStatus, lastSyncOf } from "../../../api/types";
import { ErrorAlert } from "../../../app/ErrorAlert";
import { fetchMitreStatus, mitreQueryKey, mitreStatusQueryKey, syncFromUrl } from "../api";
import { formatDateTime } from "../../../app/format";
import { MitreStatusBadge } from "../MitreStatusBadge";
import { BundleFileInput } from "./BundleFileInput";
import { SyncProgress } from "./SyncProgress";
import { SyncResult } from "./SyncResult";
import { type UploadPhase, uploadBundle } from "./uploadBundle";

type SourceKind = "url" | "file";

/** Admin → MITRE sync: refresh the ATT&CK catalogue from a URL or an uploaded bundle. */
export default function MitreSyncPage() {
  const status = useQuery({ queryKey: mitreStatusQueryKey, queryFn: fetchMitreStatus });

  return (
    <Stack maw={720}>
      <Title order={1}>MITRE ATT&CK sync</Title>
      {status.isPending ? (
        <Loader aria-label="Loading the catalogue status" />
      ) : status.error ? (
        <ErrorAlert title="Could not load the catalogue status" error={status.error} />
      ) : (
        <>
          <CurrentCatalogue status={status.data} />
          <SyncForm defaultUrl={status.data.default_url} />
        </>
      )}
    </Stack>
  );
}

function CurrentCatalogue({ status }: { status: MitreStatus }) {
  const lastSync = lastSyncOf(status);
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <MitreStatusBadge status={status} />
        <Text size="sm">
          {status.counts.tactics} tactics · {status.counts.techniques} techniques ·{" "}
          {status.counts.subtechniques} subtechniques
        </Text>
        {status.sync_running && (
          <Text size="sm" c="orange" role="status">
            A sync is running right now: another one is refused until it finishes.
          </Text>
        )}
        {lastSync && (
          <Text size="sm" c="dimmed">
            Last sync {lastSync.status} at{" "}
            {formatDateTime(lastSync.finished_at ?? lastSync.started_at)}
            {lastSync.started_by ? ` by ${lastSync.started_by}` : ""}.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function SyncForm({ defaultUrl }: { defaultUrl: string }) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<SourceKind>("url");
  const [url, setUrl] = useState(defaultUrl);
  const [file, setFile] = useState<File | null>(null);
  const [sha256, setSha256] = useState("");
  const [allowUnverified, setAllowUnverified] = useState(false);
  const [phase, setPhase] = useState<UploadPhase | null>(null);

  const sync = useMutation({
    mutationFn: () => {
      const verification = {
        expected_sha256: sha256.trim() || undefined,
        allow_unverified: allowUnverified,
      };
      if (kind === "file" && file) return uploadBundle({ file, ...verification }, setPhase);
      setPhase({ phase: "processing" });
      return syncFromUrl({ source: url.trim() || undefined, ...verification });
    },
    onSettled: () => {
      setPhase(null);
      // Status, matrix and technique details all change with the catalogue.
      return queryClient.invalidateQueries({ queryKey: mitreQueryKey });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    sync.mutate();
  };
  const running = sync.isPending;

  return (
    <Paper
      withBorder
      p="md"
      component="form"
      onSubmit={submit}
      aria-label="Sync the ATT&CK catalogue"
    >
      <Stack>
        <Radio.Group label="Source" value={kind} onChange={(value) => setKind(value as SourceKind)}>
          <Group mt={6}>
            <Radio value="url" label="Download from a URL" disabled={running} />
            <Radio value="file" label="Upload a file" disabled={running} />
          </Group>
        </Radio.Group>
        {kind === "url" ? (
          <TextInput
            label="Bundle URL"
            description="An https URL on the allowed hosts; leave as is for the pinned official bundle."
            type="url"
            value={url}
            disabled={running}
            onChange={(event) => setUrl(event.currentTarget.value)}
          />
        ) : (
          <BundleFileInput file={file} onChange={setFile} disabled={running} />
        )}
        <TextInput
          label="Expected SHA-256"
          description="The bundle's checksum. Empty: the pinned checksum for the default URL, if any."
          value={sha256}
          disabled={running}
          spellCheck={false}
          onChange={(event) => setSha256(event.currentTarget.value)}
        />
        <Checkbox
          label="Allow unverified"
          description="Import without a checksum to verify it against."
          checked={allowUnverified}
          disabled={running}
          onChange={(event) => setAllowUnverified(event.currentTarget.checked)}
        />
        <Group>
          <Button type="submit" loading={running} disabled={kind === "file" && file === null}>
            Sync
          </Button>
        </Group>
        {phase && <SyncProgress phase={phase} />}
        {sync.error && <ErrorAlert title="Sync failed" error={sync.error} />}
        {sync.data && !running && <SyncResult result={sync.data} />}
      </Stack>
    </Paper>
  );
}
