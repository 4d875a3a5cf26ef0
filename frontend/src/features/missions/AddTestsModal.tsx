import { Button, Group, Modal, Select, Stack, Tabs, TextInput, Textarea } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorAlert } from "../../app/ErrorAlert";
import { useAuth } from "../auth/AuthProvider";
import {
  addScenario,
  addTest,
  fetchScenarioTemplates,
  fetchTestTemplates,
  missionsKey,
} from "./api";
import type { Category } from "./api";

/** Add tests to the mission: a whole scenario, one library template, or an ad hoc test. */
export function AddTestsModal({
  missionId,
  categories,
  opened,
  onClose,
}: {
  missionId: string;
  categories: Category[];
  opened: boolean;
  onClose: () => void;
}) {
  const { can } = useAuth();
  // The category the added tests go into (none by default).
  const [category, setCategory] = useState<string | null>(null);
  const fromScenarios = can("scenario_template.read");
  const fromTemplates = can("test_template.read");
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Add tests"
      size="lg"
      closeButtonProps={{ "aria-label": "Close" }}
    >
      {categories.length > 0 && (
        <Select
          label="Add to category"
          description="The tests added here go into it."
          placeholder="No category"
          clearable
          // The choice stays while the page is open: picking the category already shown (to
          // be sure) must keep it, not silently put the next tests into no category. The
          // clear button is the way back to none.
          allowDeselect={false}
          data={categories.map((item) => ({ value: item.id, label: item.name }))}
          value={category}
          onChange={setCategory}
          mb="md"
        />
      )}
      <Tabs defaultValue={fromScenarios ? "scenario" : fromTemplates ? "template" : "ad-hoc"}>
        <Tabs.List>
          {fromScenarios && <Tabs.Tab value="scenario">Scenario</Tabs.Tab>}
          {fromTemplates && <Tabs.Tab value="template">From the library</Tabs.Tab>}
          <Tabs.Tab value="ad-hoc">Ad hoc</Tabs.Tab>
        </Tabs.List>
        {fromScenarios && (
          <Tabs.Panel value="scenario" pt="md">
            <LibraryPicker
              label="Scenario"
              search={fetchScenarioTemplates}
              kind="scenarios"
              submitLabel="Add scenario"
              add={(id) => addScenario(missionId, id, category)}
              onAdded={onClose}
            />
          </Tabs.Panel>
        )}
        {fromTemplates && (
          <Tabs.Panel value="template" pt="md">
            <LibraryPicker
              label="Test template"
              search={fetchTestTemplates}
              kind="templates"
              submitLabel="Add test"
              add={(id) => addTest(missionId, { test_template_id: id, category_id: category })}
              onAdded={onClose}
            />
          </Tabs.Panel>
        )}
        <Tabs.Panel value="ad-hoc" pt="md">
          <AdHocForm missionId={missionId} categoryId={category} onAdded={onClose} />
        </Tabs.Panel>
      </Tabs>
    </Modal>
  );
}

function LibraryPicker({
  label,
  search,
  kind,
  submitLabel,
  add,
  onAdded,
}: {
  label: string;
  search: (q: string) => Promise<{ id: string; name: string }[]>;
  kind: string;
  submitLabel: string;
  add: (id: string) => Promise<unknown>;
  onAdded: () => void;
}) {
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [q] = useDebouncedValue(text, 250);
  const [pick, setPick] = useState<string | null>(null);
  const options = useQuery({ queryKey: ["library", kind, q], queryFn: () => search(q) });
  const mutation = useMutation({
    mutationFn: () => add(pick as string),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: missionsKey });
      onAdded();
    },
  });
  return (
    <Stack>
      <Select
        label={label}
        placeholder="Type to search the library"
        searchable
        searchValue={text}
        onSearchChange={setText}
        filter={({ options: all }) => all}
        data={(options.data ?? []).map((item) => ({ value: item.id, label: item.name }))}
        value={pick}
        onChange={setPick}
      />
      {mutation.error && <ErrorAlert title="Not added" error={mutation.error} />}
      <Group justify="flex-end">
        <Button disabled={!pick} loading={mutation.isPending} onClick={() => mutation.mutate()}>
          {submitLabel}
        </Button>
      </Group>
    </Stack>
  );
}

function AdHocForm({
  missionId,
  categoryId,
  onAdded,
}: {
  missionId: string;
  categoryId: string | null;
  onAdded: () => void;
}) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [procedure, setProcedure] = useState("");
  const mutation = useMutation({
    mutationFn: () =>
      addTest(missionId, {
        name,
        description: description || null,
        procedure: procedure || null,
        category_id: categoryId,
      }),
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: missionsKey });
      onAdded();
    },
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        mutation.mutate();
      }}
    >
      <Stack>
        <TextInput
          label="Test name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
        />
        <Textarea
          label="Description (Markdown)"
          value={description}
          onChange={(event) => setDescription(event.currentTarget.value)}
        />
        <Textarea
          label="Procedure (Markdown)"
          value={procedure}
          onChange={(event) => setProcedure(event.currentTarget.value)}
        />
        {mutation.error && <ErrorAlert title="Not added" error={mutation.error} />}
        <Group justify="flex-end">
          <Button type="submit" loading={mutation.isPending}>
            Add test
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
