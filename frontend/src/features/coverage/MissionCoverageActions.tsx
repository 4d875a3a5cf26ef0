import { Alert, Button, Group, Menu, Modal, Stack, Text, TextInput, Anchor } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { ErrorAlert } from "../../app/ErrorAlert";
import { useAuth } from "../auth/AuthProvider";
import { downloadFile, openDocument, previewScenario, saveAsScenario } from "./api";
import type { ScenarioPreview } from "./api";
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
  // Asked each time the dialog opens: whether the save needs test_template.write depends on
  // the mission's tests now (ad hoc ones, or templates deleted since), which the page does not
  // know, so the dialog says beforehand what the API would refuse instead of offering it.
  const preview = useQuery({
    queryKey: ["save-as-scenario", missionId],
    queryFn: () => previewScenario(missionId),
    enabled: opened,
    staleTime: 0,
  });
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
        {preview.error ? <ErrorAlert title="Not checked" error={preview.error} /> : null}
        {preview.data && <PreviewNote preview={preview.data} />}
        {preview.data && preview.data.unknown_tags.length > 0 && (
          <UnknownTagsNote unknownTags={preview.data.unknown_tags} />
        )}
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
        ) : preview.data?.allowed === false ||
          preview.data?.tests === 0 ||
          preview.data?.unknown_tags.length ? null : (
          <Group justify="flex-end">
            <Button
              disabled={!name.trim()}
              loading={saving.isPending || preview.isPending}
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

/** How many tests the scenario gets and how many become new templates; when the caller lacks a
 * permission the save needs, which one and why (the dialog then offers no Save). */
function PreviewNote({ preview }: { preview: ScenarioPreview }) {
  if (preview.tests === 0) {
    return (
      <Alert variant="light" color="yellow" title="Nothing to save">
        The mission has no tests yet.
      </Alert>
    );
  }
  const copies =
    preview.new_templates === 0
      ? "All of them are from the library."
      : `${preview.new_templates} of them ${preview.new_templates === 1 ? "is" : "are"} not from the library.`;
  const summary = `${preview.tests} ${preview.tests === 1 ? "test" : "tests"}. ${copies}`;
  if (preview.allowed) {
    return (
      <Text size="sm" data-testid="scenario-preview">
        {summary}
      </Text>
    );
  }
  const missing = preview.needs.includes("test_template.write")
    ? "Making new library templates of them needs the permission to write test templates " +
      "(test_template.write), which you do not have."
    : "Saving a scenario needs the permission to write scenarios (scenario_template.write).";
  return (
    <Alert variant="light" color="yellow" title="You cannot save this mission as a scenario">
      <Text size="sm" data-testid="scenario-preview">
        {summary} {missing} Ask an administrator for it, or have someone who has it save the
        scenario.
      </Text>
    </Alert>
  );
}

/** Tests tagged with ATT&CK ids this catalogue does not know (a mission restored from another
 * instance's archive): no template may hold them, so the save would be 422; say which, before. */
function UnknownTagsNote({ unknownTags }: { unknownTags: ScenarioPreview["unknown_tags"] }) {
  return (
    <Alert variant="light" color="yellow" title="Tags this ATT&CK catalogue does not know">
      <Text size="sm" data-testid="scenario-unknown-tags">
        {unknownTags.map((item) => `${item.test} (${item.external_ids.join(", ")})`).join("; ")}.
        Remove those tags from the tests, or sync an ATT&CK release that has them, then save.
      </Text>
    </Alert>
  );
}
