import {
  Anchor,
  Button,
  Checkbox,
  Code,
  Group,
  List,
  Loader,
  Paper,
  Radio,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useSearchParams } from "react-router";
import type { MitreStatus } from "../../../api/types";
import { ErrorAlert } from "../../../app/ErrorAlert";
import { apiFieldErrors } from "../../../app/forms";
import { CatalogueStatus } from "../CatalogueStatus";
import { fetchMitreStatus, mitreQueryKey, mitreStatusQueryKey, syncFromUrl } from "../api";
import { BundleFileInput } from "./BundleFileInput";
import { SyncProgress } from "./SyncProgress";
import { SyncResult } from "./SyncResult";
import { type SyncValues, syncProblems } from "./syncForm";
import { type UploadPhase, uploadBundle } from "./uploadBundle";

/** Admin → MITRE sync: refresh the ATT&CK catalogue from a URL or an uploaded bundle. */
export default function MitreSyncPage() {
  const status = useQuery({
    queryKey: mitreStatusQueryKey,
    queryFn: fetchMitreStatus,
    refetchInterval: (current) => (current.state.data?.sync_running ? 3000 : false),
  });

  return (
    <Stack maw={720}>
      <Title order={1}>MITRE ATT&CK sync</Title>
      {status.isPending ? (
        <Loader aria-label="Loading the catalogue status" />
      ) : status.error ? (
        <ErrorAlert title="Could not load the catalogue status" error={status.error} />
      ) : (
        <>
          <Paper withBorder p="md" component="section" aria-label="Current catalogue">
            <CatalogueStatus status={status.data} />
          </Paper>
          <SyncForm status={status.data} />
          <OfflineSteps defaultUrl={status.data.default_url} />
        </>
      )}
    </Stack>
  );
}

function SyncForm({ status }: { status: MitreStatus }) {
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [phase, setPhase] = useState<UploadPhase | null>(null);
  const form = useForm<SyncValues>({
    initialValues: {
      kind: params.get("source") === "file" ? "file" : "url",
      source: status.default_url,
      file: null,
      expected_sha256: "",
      allow_unverified: false,
      version: "",
    },
    validate: (values) => syncProblems(values, status),
  });

  const sync = useMutation({
    mutationFn: (values: SyncValues) => {
      const fields = {
        expected_sha256: values.expected_sha256.trim() || undefined,
        allow_unverified: values.allow_unverified,
        version: values.version.trim() || undefined,
      };
      if (values.kind === "file" && values.file)
        return uploadBundle({ file: values.file, ...fields }, setPhase);
      setPhase({ phase: "processing" });
      return syncFromUrl({ source: values.source.trim() || undefined, ...fields });
    },
    onError: (error) => form.setErrors(apiFieldErrors(error)),
    onSettled: () => {
      setPhase(null);
      // Status, matrix and technique details all change with the catalogue.
      return queryClient.invalidateQueries({ queryKey: mitreQueryKey });
    },
  });

  const running = sync.isPending;
  const { kind, source } = form.values;
  const isDefaultUrl = kind === "url" && source.trim() === status.default_url;

  return (
    <Paper
      withBorder
      p="md"
      component="form"
      onSubmit={form.onSubmit((values) => sync.mutate(values))}
      aria-label="Sync the ATT&CK catalogue"
      noValidate
    >
      <Stack>
        <Radio.Group label="Source" {...form.getInputProps("kind")}>
          <Group mt={6}>
            <Radio value="url" label="Download from a URL" disabled={running} />
            <Radio value="file" label="Upload a file (no internet needed)" disabled={running} />
          </Group>
        </Radio.Group>
        {kind === "url" ? (
          <TextInput
            label="Bundle URL"
            description={`Leave as is for MITRE's official ATT&CK Enterprise ${status.default_version}. Only https addresses on the allowed hosts work.`}
            type="url"
            disabled={running}
            {...form.getInputProps("source")}
          />
        ) : (
          <BundleFileInput
            file={form.values.file}
            onChange={(file) => form.setFieldValue("file", file)}
            disabled={running}
            error={form.errors.file}
          />
        )}
        <Text size="sm" data-testid="pinned-checksum">
          {status.pinned ? (
            <>
              A checksum is pinned for the default URL: <Code>{status.default_sha256}</Code>.
              {isDefaultUrl && " The download is checked against it."}
            </>
          ) : (
            <>No checksum is pinned: give the bundle's SHA-256 below, or import it unverified.</>
          )}
        </Text>
        <TextInput
          label="Expected SHA-256 (optional)"
          description="The checksum published with the bundle. Violet refuses a file that does not match it."
          disabled={running}
          spellCheck={false}
          {...form.getInputProps("expected_sha256")}
        />
        <Checkbox
          label="Import without checksum verification"
          description="Unverified: Violet cannot prove the file is MITRE's, unaltered. Tick this only for a file from a source you trust."
          disabled={running}
          {...form.getInputProps("allow_unverified", { type: "checkbox" })}
        />
        <TextInput
          label="ATT&CK release (optional)"
          description="For a bundle that does not name its release, e.g. 18.1. Otherwise read from the bundle or its file name."
          disabled={running}
          maw={240}
          {...form.getInputProps("version")}
        />
        <Group>
          <Button type="submit" loading={running}>
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

/** The offline way in, step by step (the same steps as the README's). */
function OfflineSteps({ defaultUrl }: { defaultUrl: string }) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="offline-steps-title">
      <Title order={2} size="h4" id="offline-steps-title" mb="xs">
        Syncing without internet access
      </Title>
      <List type="ordered" spacing="xs" size="sm">
        <List.Item>
          On a machine with internet access, download the bundle:{" "}
          <Anchor href={defaultUrl} target="_blank" rel="noreferrer" data-testid="bundle-url">
            {defaultUrl}
          </Anchor>{" "}
          (other releases and domains: MITRE's <Code>attack-stix-data</Code> repository on GitHub).
        </List.Item>
        <List.Item>
          Note its SHA-256 (<Code>sha256sum FILE</Code>) if you can check it against a trusted
          source.
        </List.Item>
        <List.Item>
          Bring the file here, choose <strong>Upload a file</strong>, and give the SHA-256 or tick{" "}
          <strong>Import without checksum verification</strong>.
        </List.Item>
      </List>
    </Paper>
  );
}
