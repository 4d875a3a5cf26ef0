import { Anchor, Button, FileInput, Group, Modal, Stack, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { missionsKey } from "../missions/api";
import { importMission } from "./api";

/** "Import archive": restore a mission archive (.zip) as a new mission of this workspace. */
export function ImportMissionButton() {
  const queryClient = useQueryClient();
  const [opened, { open, close }] = useDisclosure(false);
  const [file, setFile] = useState<File | null>(null);
  const importing = useMutation({
    mutationFn: (archive: File) => importMission(archive),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: missionsKey }),
  });
  const done = () => {
    importing.reset();
    setFile(null);
    close();
  };
  return (
    <>
      <Button variant="default" onClick={open}>
        Import archive
      </Button>
      <Modal opened={opened} onClose={done} title="Import a mission archive">
        <Stack>
          <FileInput
            label="Mission archive"
            description="A .zip exported from a mission (Download → Mission archive)."
            accept=".zip,application/zip"
            value={file}
            onChange={setFile}
            clearable
            clearButtonProps={{ "aria-label": "Clear the file" }}
          />
          {importing.error && <ErrorAlert title="Not imported" error={importing.error} />}
          {importing.data ? (
            <Stack gap={4} role="status">
              <Text>
                Imported {importing.data.tests} tests.{" "}
                <Anchor component={Link} to={`/missions/${importing.data.id}`} onClick={done}>
                  Open {importing.data.name}
                </Anchor>
              </Text>
              {importing.data.warnings.map((warning) => (
                <Text key={warning} size="sm">
                  {warning}
                </Text>
              ))}
            </Stack>
          ) : (
            <Group justify="flex-end">
              <Button
                disabled={!file}
                loading={importing.isPending}
                onClick={() => file && importing.mutate(file)}
              >
                Import
              </Button>
            </Group>
          )}
        </Stack>
      </Modal>
    </>
  );
}
