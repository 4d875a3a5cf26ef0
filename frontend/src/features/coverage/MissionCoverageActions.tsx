import { Button, Group, Menu, Modal, Stack, Text, TextInput, Anchor } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { useAuth } from "../auth/AuthProvider";
import { downloadFile, openDocument, saveAsScenario } from "./api";
import { fileNameOf } from "./fileName";
import { PlanModal } from "./PlanModal";

// Each file is saved under the name the API gives (`Purple-week-layer.json`), else under the
// mission's name and `suffix`: the report, served inline for the tab, comes unnamed.
const DOWNLOADS = [
  { label: "Navigator layer (JSON)", path: "navigator-layer", suffix: "-layer.json" },
  { label: "Tests as CSV", path: "export?format=csv", suffix: "-tests.csv" },
  { label: "Tests as JSON", path: "export?format=json", suffix: "-tests.json" },
  { label: "Printable report (HTML)", path: "report", suffix: "-report.html" },
];
// Members only: it holds the evidence files (the API answers 403 to an outsider).
const ARCHIVE = {
  label: "Mission archive (ZIP)",
  path: "export?format=zip",
  suffix: "-mission.zip",
};

/** The mission page's coverage actions: its heatmap, downloads, planning, save as scenario. */
export function MissionCoverageActions({
  missionId,
  missionName,
  canManage,
  isMember,
}: {
  missionId: string;
  missionName: string;
  canManage: boolean;
  isMember: boolean;
}) {
  const { can } = useAuth();
  const [planOpen, plan] = useDisclosure(false);
  const [saveOpen, save] = useDisclosure(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);

  const download = (path: string, name: string) => {
    setDownloadError(null);
    downloadFile(`/api/v1/missions/${missionId}/${path}`, name).catch(setDownloadError);
  };
  const openReport = () => {
    setDownloadError(null);
    const tab = window.open("", "_blank");
    if (!tab) {
      // The browser refused a new tab: save it instead.
      download("report", fileNameOf(missionName, "-report.html"));
      return;
    }
    openDocument(`/api/v1/missions/${missionId}/report`, tab).catch(setDownloadError);
  };

  return (
    <Stack gap="xs">
      <Group>
        <Button variant="default" component={Link} to={`/coverage?missions=${missionId}`}>
          Coverage
        </Button>
        <Button variant="default" onClick={openReport}>
          Open report
        </Button>
        <Menu>
          <Menu.Target>
            <Button variant="default">Download</Button>
          </Menu.Target>
          <Menu.Dropdown>
            {(isMember ? [...DOWNLOADS, ARCHIVE] : DOWNLOADS).map((item) => (
              <Menu.Item
                key={item.path}
                onClick={() => download(item.path, fileNameOf(missionName, item.suffix))}
              >
                {item.label}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
        {canManage && (
          <Button variant="default" onClick={plan.open}>
            Plan from ATT&CK
          </Button>
        )}
        {can("scenario_template.write") && (
          <Button variant="default" onClick={save.open}>
            Save as scenario
          </Button>
        )}
      </Group>
      {downloadError ? <ErrorAlert title="Download failed" error={downloadError} /> : null}
      {canManage && <PlanModal missionId={missionId} opened={planOpen} onClose={plan.close} />}
      <SaveAsScenarioModal
        missionId={missionId}
        defaultName={missionName}
        opened={saveOpen}
        onClose={save.close}
      />
    </Stack>
  );
}

function SaveAsScenarioModal({
  missionId,
  defaultName,
  opened,
  onClose,
}: {
  missionId: string;
  defaultName: string;
  opened: boolean;
  onClose: () => void;
}) {
  const [name, setName] = useState(defaultName);
  // Saved, the Save button gives way to the link to the scenario: the focus goes to that link,
  // not to the page behind the dialog.
  const openLink = useRef<HTMLAnchorElement>(null);
  const saving = useMutation({ mutationFn: () => saveAsScenario(missionId, name.trim()) });
  useEffect(() => {
    if (saving.data) openLink.current?.focus();
  }, [saving.data]);
  const close = () => {
    saving.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="Save the tests as a scenario">
      <Stack>
        <Text size="sm">
          The mission&apos;s tests, in order, become a scenario of the library. Tests that are not
          from the library become new library templates.
        </Text>
        <TextInput
          label="Scenario name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
        />
        {saving.error && <ErrorAlert title="Not saved" error={saving.error} />}
        {saving.data ? (
          <Text role="status">
            Saved.{" "}
            <Anchor ref={openLink} component={Link} to={`/scenarios/${saving.data.id}`}>
              Open the scenario
            </Anchor>
          </Text>
        ) : (
          <Group justify="flex-end">
            <Button
              disabled={!name.trim()}
              loading={saving.isPending}
              onClick={() => saving.mutate()}
            >
              Save scenario
            </Button>
          </Group>
        )}
      </Stack>
    </Modal>
  );
}
