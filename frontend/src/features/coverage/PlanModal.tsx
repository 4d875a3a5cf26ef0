import {
  Button,
  FileInput,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
} from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { ErrorAlert } from "../../app/ErrorAlert";
import { missionKey, testsKey } from "../missions/api";
import { domainName } from "../mitre/catalogueState";
import { type MitreDomain, asDomain } from "../mitre/domains";
import { type Plan, type PlanSource, coverageKey, planTests } from "./api";
import { ThreatGroupSelect } from "./ThreatGroupSelect";

type SourceKind = "group" | "layer";

/**
 * Plan tests from a threat group or an ATT&CK Navigator layer file: a preview (a dry run) shows
 * what would be added and what is skipped; nothing is added before "Add".
 */
export function PlanModal({
  missionId,
  opened,
  onClose,
}: {
  missionId: string;
  opened: boolean;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<SourceKind>("group");
  const [group, setGroup] = useState<string | null>(null);
  // A group may use techniques of several ATT&CK domains (APT28: Enterprise and Mobile).
  const [groupDomains, setGroupDomains] = useState<MitreDomain[]>([]);
  const [groupDomain, setGroupDomain] = useState<MitreDomain | null>(null);
  // A file holds one layer, or a list of them (the Navigator opens such a file as several).
  const [layers, setLayers] = useState<Record<string, unknown>[] | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [minScore, setMinScore] = useState<number | undefined>(undefined);
  const [maxScore, setMaxScore] = useState<number | undefined>(undefined);
  const [preview, setPreview] = useState<Plan | null>(null);
  const [added, setAdded] = useState<Plan | null>(null);

  const fromLayers: PlanSource | null = layers && {
    ...(layers.length === 1 ? { layer: layers[0] } : { layers }),
    min_score: minScore,
    max_score: maxScore,
  };
  const fromGroup: PlanSource | null = group
    ? { group, ...(groupDomain ? { domain: groupDomain } : {}) }
    : null;
  const source = kind === "group" ? fromGroup : fromLayers;

  // Preview and Add are disabled while they run (and Add once it is done), which drops the
  // keyboard focus to the page behind the dialog: it goes on to the next step instead, Add after
  // a preview with tests to add, else back to Preview.
  const previewButton = useRef<HTMLButtonElement>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const [focusNext, setFocusNext] = useState<"preview" | "add" | null>(null);
  useEffect(() => {
    if (focusNext === null) return;
    setFocusNext(null);
    (focusNext === "add" ? addButton : previewButton).current?.focus();
  }, [focusNext]);
  const previewing = useMutation({
    mutationFn: (planned: PlanSource) => planTests(missionId, planned, true),
    onSuccess: (plan) => {
      setPreview(plan);
      setFocusNext(plan.added.length > 0 ? "add" : "preview");
    },
  });
  const adding = useMutation({
    mutationFn: (planned: PlanSource) => planTests(missionId, planned, false),
    onSuccess: async (plan) => {
      setPreview(null);
      setAdded(plan);
      setFocusNext("preview");
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: testsKey(missionId) }),
        queryClient.invalidateQueries({ queryKey: missionKey(missionId) }),
        queryClient.invalidateQueries({ queryKey: coverageKey }),
      ]);
    },
  });

  const resetResult = () => {
    setPreview(null);
    setAdded(null);
    previewing.reset();
    adding.reset();
  };
  const readLayer = async (file: File | null) => {
    resetResult();
    setLayers(null);
    setFileError(null);
    if (!file) return;
    try {
      const parsed: unknown = JSON.parse(await file.text());
      const found = Array.isArray(parsed) ? parsed : [parsed];
      if (found.length === 0 || !found.every(isObject)) throw new Error("not layers");
      setLayers(found);
    } catch {
      setFileError("This file is not a JSON layer (or a list of layers).");
    }
  };
  const close = () => {
    resetResult();
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title="Plan tests from ATT&CK" size="xl">
      <Stack>
        <Stack gap={4}>
          <Text component="span" size="sm" fw={500} id="plan-source-label">
            Plan from
          </Text>
          <SegmentedControl
            aria-labelledby="plan-source-label"
            data={[
              { value: "group", label: "Threat group" },
              { value: "layer", label: "Navigator layer file" },
            ]}
            value={kind}
            onChange={(value) => {
              setKind(value as SourceKind);
              resetResult();
            }}
          />
        </Stack>
        {kind === "group" ? (
          <>
            <ThreatGroupSelect
              value={group}
              onChange={(value, chosen) => {
                setGroup(value);
                setGroupDomains(
                  (chosen?.domains ?? []).flatMap((domain) => asDomain(domain) ?? []),
                );
                setGroupDomain(null);
                resetResult();
              }}
            />
            {groupDomains.length > 1 && (
              <Select
                label="ATT&CK domain"
                description="The group uses techniques of several domains."
                data={[
                  { value: "every", label: "Every domain of the group" },
                  ...groupDomains.map((domain) => ({ value: domain, label: domainName(domain) })),
                ]}
                value={groupDomain ?? "every"}
                onChange={(value) => {
                  setGroupDomain(asDomain(value));
                  resetResult();
                }}
                allowDeselect={false}
              />
            )}
          </>
        ) : (
          <>
            <FileInput
              label="Navigator layer"
              description="A Navigator layer file, or a file of several layers; their enabled techniques are planned."
              accept=".json,application/json"
              onChange={readLayer}
              error={fileError}
              clearable
              clearButtonProps={{ "aria-label": "Clear the file" }}
            />
            <Group grow align="flex-start">
              <NumberInput
                label="Lowest score"
                description="Optional, e.g. 1 for a usage layer that scores unused techniques 0."
                value={minScore ?? ""}
                onChange={(value) => {
                  setMinScore(typeof value === "number" ? value : undefined);
                  resetResult();
                }}
              />
              <NumberInput
                label="Highest score"
                description="Optional, e.g. 40 for the gaps of a coverage layer."
                value={maxScore ?? ""}
                onChange={(value) => {
                  setMaxScore(typeof value === "number" ? value : undefined);
                  resetResult();
                }}
              />
            </Group>
          </>
        )}
        <Group>
          <Button
            ref={previewButton}
            variant="default"
            disabled={!source}
            loading={previewing.isPending}
            onClick={() => source && previewing.mutate(source)}
          >
            Preview
          </Button>
          <Button
            ref={addButton}
            disabled={!source || !preview || preview.added.length === 0}
            loading={adding.isPending}
            onClick={() => source && adding.mutate(source)}
          >
            {preview ? `Add ${preview.added.length} tests` : "Add tests"}
          </Button>
        </Group>
        {previewing.error && <ErrorAlert title="Preview failed" error={previewing.error} />}
        {adding.error && <ErrorAlert title="Nothing added" error={adding.error} />}
        {added && (
          <Text role="status" data-testid="plan-added">
            Added {added.added.length} tests ({added.from_library} from the library, {added.bare}{" "}
            bare).
          </Text>
        )}
        {preview && <PlanPreview plan={preview} />}
      </Stack>
    </Modal>
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function PlanPreview({ plan }: { plan: Plan }) {
  return (
    <Stack gap="xs" data-testid="plan-preview">
      <Text role="status">
        Would add {plan.added.length} tests: {plan.from_library} from the library, {plan.bare} bare;{" "}
        {plan.skipped.length} skipped.
      </Text>
      {plan.added.length > 0 && (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Technique</Table.Th>
              <Table.Th>Test</Table.Th>
              <Table.Th>From</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {plan.added.map((item) => (
              <Table.Tr key={`${item.external_id}-${item.test_template_id ?? "bare"}`}>
                <Table.Td>{item.external_id}</Table.Td>
                <Table.Td>{item.name}</Table.Td>
                <Table.Td>{item.test_template_id ? "Library" : "Bare test"}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {plan.skipped.length > 0 && (
        <>
          <Text fw={600}>Skipped</Text>
          <ul>
            {plan.skipped.map((item) => (
              <li key={item.external_id}>
                {item.external_id}: {item.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </Stack>
  );
}
