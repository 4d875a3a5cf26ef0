import {
  Alert,
  Button,
  Group,
  Input,
  List,
  Modal,
  Progress,
  SegmentedControl,
  Stack,
  Text,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import type { ImportResult } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { type ImportFormat, importTemplates, libraryQueryKey } from "./api";

/** What an import did: counts, then each item that was left out and why. */
function ImportReport({ result }: { result: ImportResult }) {
  return (
    <Alert
      color={result.errors.length ? "orange" : "green"}
      title="Import finished"
      data-testid="import-report"
    >
      <Text size="sm">
        <span data-testid="import-created">{result.created}</span> created,{" "}
        <span data-testid="import-updated">{result.updated}</span> updated,{" "}
        <span data-testid="import-skipped">{result.skipped}</span> unchanged,{" "}
        <span data-testid="import-errors">{result.errors.length}</span> not imported.
      </Text>
      {result.errors.length > 0 && (
        <List size="sm" mt="xs">
          {result.errors.map((error) => (
            <List.Item key={error.path}>
              <code>{error.path}</code>
              {error.name ? ` (${error.name})` : ""}: {error.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

/** Import an Atomic Red Team technique file (or a Violet export) and show the report. */
export function ImportModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const fileId = useId();
  const [format, setFormat] = useState<ImportFormat>("atomic-red-team");
  const [file, setFile] = useState<File | null>(null);
  const mutation = useMutation({
    mutationFn: () => importTemplates(file as File, format),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: libraryQueryKey }),
  });
  const close = () => {
    mutation.reset();
    setFile(null);
    onClose();
  };

  return (
    <Modal
      opened={opened}
      onClose={close}
      title="Import templates"
      size="lg"
      closeButtonProps={{ "aria-label": "Close dialog" }}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (file) mutation.mutate();
        }}
      >
        <Stack>
          <Input.Wrapper label="Format" id={`${fileId}-format`}>
            <SegmentedControl
              mt={4}
              fullWidth
              aria-labelledby={`${fileId}-format-label`}
              value={format}
              onChange={(value) => setFormat(value as ImportFormat)}
              data={[
                { value: "atomic-red-team", label: "Atomic Red Team YAML" },
                { value: "violet", label: "Violet export (JSON)" },
              ]}
            />
          </Input.Wrapper>
          <Input.Wrapper
            label="File"
            description={
              format === "atomic-red-team"
                ? "A technique file such as atomics/T1059.001/T1059.001.yaml."
                : "A file saved with Export."
            }
            labelProps={{ htmlFor: fileId }}
          >
            <input
              id={fileId}
              type="file"
              accept={format === "violet" ? ".json,application/json" : ".yaml,.yml,text/yaml"}
              onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
              style={{ display: "block", marginTop: 6 }}
            />
          </Input.Wrapper>
          {mutation.isPending && <Progress value={100} animated aria-label="Importing" striped />}
          {mutation.error && <ErrorAlert title="Import refused" error={mutation.error} />}
          {mutation.data && <ImportReport result={mutation.data} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Close
            </Button>
            <Button type="submit" disabled={!file} loading={mutation.isPending}>
              Import
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
