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
import { ApiError } from "../../api/problem";
import type { ImportResult } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { FileField } from "../../app/FileField";
import { type ImportFormat, importTemplates, libraryQueryKey } from "./api";

/** A technique file of Atomic Red Team's `atomics/` folder: `atomics/T1059.001/T1059.001.yaml`. */
const ATOMIC_FILE = /^T\d{4}(\.\d{3})?\.ya?ml$/i;
type ImportErrors = ImportResult["errors"];
// Statuses that refuse one file (bad YAML, too large, wrong type): the next file still goes.
const FILE_REFUSED = new Set([413, 415, 422]);

/** One item of the report: where it is in the document, its name, what happened. */
function ReportItems({ items }: { items: ImportErrors }) {
  return (
    <List size="sm" mt="xs">
      {items.map((item, index) => (
        <List.Item key={`${index}-${item.path}`}>
          <code>{item.path}</code>
          {item.name ? ` (${item.name})` : ""}: {item.message}
        </List.Item>
      ))}
    </List>
  );
}

/** What an import did: counts, each item that was left out and why, then its warnings: an item
 * imported with a tag ATT&CK has revoked or deprecated (and what replaced it), or one deleted in
 * this library and left so (each message says which, and how to restore a deleted one). */
function ImportReport({ result }: { result: ImportResult }) {
  return (
    <Alert
      color={result.errors.length || result.warnings.length ? "orange" : "green"}
      title="Import finished"
      data-testid="import-report"
    >
      <Text size="sm">
        <span data-testid="import-created">{result.created}</span> created,{" "}
        <span data-testid="import-updated">{result.updated}</span> updated,{" "}
        <span data-testid="import-skipped">{result.skipped}</span> unchanged,{" "}
        <span data-testid="import-errors">{result.errors.length}</span> not imported.
      </Text>
      {result.errors.length > 0 && <ReportItems items={result.errors} />}
      {result.warnings.length > 0 && (
        <>
          <Text size="sm" mt="xs" data-testid="import-warnings">
            Warnings ({result.warnings.length}):
          </Text>
          <ReportItems items={result.warnings} />
        </>
      )}
    </Alert>
  );
}

/**
 * Import Atomic Red Team technique files (one, several, or every one in a folder such as a
 * clone's `atomics/`) or a Violet export, and show the report. Files go one request each, in
 * order; a file the API refuses is listed in the report and the others still go.
 */
export function ImportModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const formatId = useId();
  const [format, setFormat] = useState<ImportFormat>("atomic-red-team");
  const [files, setFiles] = useState<File[]>([]);
  const [folderError, setFolderError] = useState<string | null>(null);
  const [report, setReport] = useState<(ImportResult & { files: number }) | null>(null);
  const mutation = useMutation({
    mutationFn: async () => {
      const total = {
        files: 0,
        created: 0,
        updated: 0,
        skipped: 0,
        errors: [] as ImportErrors,
        warnings: [] as ImportErrors,
      };
      setReport({ ...total, errors: [], warnings: [] });
      for (const file of files) {
        const prefix = files.length > 1 ? `${file.name}: ` : "";
        try {
          const result = await importTemplates(file, format);
          total.created += result.created;
          total.updated += result.updated;
          total.skipped += result.skipped;
          total.errors.push(
            ...result.errors.map((error) => ({ ...error, path: prefix + error.path })),
          );
          total.warnings.push(
            ...result.warnings.map((warning) => ({ ...warning, path: prefix + warning.path })),
          );
        } catch (error) {
          const refused = error instanceof ApiError && FILE_REFUSED.has(error.status);
          if (files.length === 1 || !refused) throw error;
          total.errors.push({ path: file.name, message: error.message });
        }
        total.files += 1;
        setReport({ ...total, errors: [...total.errors], warnings: [...total.warnings] });
      }
      return total;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: libraryQueryKey }),
  });
  const choose = (chosen: File[]) => {
    mutation.reset();
    setReport(null);
    setFolderError(null);
    setFiles([...chosen].sort((a, b) => a.name.localeCompare(b.name)));
  };
  const chooseFolder = (chosen: File[]) => {
    const atomics = chosen.filter((file) => ATOMIC_FILE.test(file.name));
    choose(atomics);
    if (chosen.length && !atomics.length) {
      setFolderError("No Atomic technique file (Txxxx.yaml) in this folder.");
    }
  };
  const close = () => {
    choose([]);
    onClose();
  };
  const several = files.length > 1;

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
          if (files.length) mutation.mutate();
        }}
      >
        <Stack>
          <Input.Wrapper label="Format" id={`${formatId}-format`}>
            <SegmentedControl
              mt={4}
              fullWidth
              aria-labelledby={`${formatId}-format-label`}
              value={format}
              onChange={(value) => {
                setFormat(value as ImportFormat);
                choose([]);
              }}
              data={[
                { value: "atomic-red-team", label: "Atomic Red Team YAML" },
                { value: "violet", label: "Violet export (JSON)" },
              ]}
            />
          </Input.Wrapper>
          <FileField
            key={format}
            label={format === "violet" ? "File" : "Files"}
            description={
              format === "atomic-red-team"
                ? "One or more technique files such as atomics/T1059.001/T1059.001.yaml, or an index such as atomics/Indexes/index.yaml."
                : "A file saved with Export."
            }
            multiple={format === "atomic-red-team"}
            accept={format === "violet" ? ".json,application/json" : ".yaml,.yml,text/yaml"}
            onChange={(event) => choose(Array.from(event.currentTarget.files ?? []))}
          />
          {format === "atomic-red-team" && (
            <FileField
              label="Or a folder"
              description="The atomics folder of an atomic-red-team clone: every Txxxx.yaml in it is imported."
              error={folderError}
              // A folder picker: not in React's input props, hence the spread.
              {...{ webkitdirectory: "" }}
              onChange={(event) => chooseFolder(Array.from(event.currentTarget.files ?? []))}
            />
          )}
          {several && !mutation.isPending && !report && (
            <Text size="sm">{files.length} files chosen.</Text>
          )}
          {mutation.isPending &&
            (several && report ? (
              <>
                <Progress value={(report.files / files.length) * 100} aria-label="Importing" />
                <Text size="sm" role="status">
                  Imported {report.files} of {files.length} files…
                </Text>
              </>
            ) : (
              <Progress value={100} animated aria-label="Importing" striped />
            ))}
          {mutation.error && <ErrorAlert title="Import refused" error={mutation.error} />}
          {report && !mutation.isPending && (mutation.isSuccess || report.files > 0) && (
            <ImportReport result={report} />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Close
            </Button>
            <Button type="submit" disabled={!files.length} loading={mutation.isPending}>
              Import
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
