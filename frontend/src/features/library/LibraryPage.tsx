import { Button, Group, Loader, Pagination, Stack, Text, Title } from "@mantine/core";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { TestTemplate } from "../../api/types";
import { ErrorAlert } from "../../app/ErrorAlert";
import { UndoAlert } from "../../app/UndoAlert";
import { useAuth } from "../auth/AuthProvider";
import { downloadExport, fetchTemplates, restoreTemplate, templatesQueryKey } from "./api";
import { ConfirmTemplateModal, refreshLibrary, type TemplateAction } from "./ConfirmTemplateModal";
import { ImportModal } from "./ImportModal";
import { TemplateDrawer } from "./TemplateDrawer";
import { TemplateFilters } from "./TemplateFilters";
import { TemplateFormModal } from "./TemplateFormModal";
import { TemplateTable } from "./TemplateTable";
import { FILTER_KEYS, PAGE_SIZE, useTemplateFilters } from "./useTemplateFilters";

type Editing = { template: TestTemplate | null } | null;

/** The test template library: filter, read, create, edit, delete/restore, import, export. */
export default function LibraryPage() {
  const { can } = useAuth();
  const { params, filters, set, clear, page } = useTemplateFilters();
  const templates = useQuery({
    queryKey: templatesQueryKey(filters),
    queryFn: () => fetchTemplates(filters),
    placeholderData: keepPreviousData,
  });
  const [editing, setEditing] = useState<Editing>(null);
  // The template form is unmounted as it closes, so the dialog cannot give the focus back
  // itself: the control that opened it (New template, a row's Edit) gets it once it is gone.
  const editOpener = useRef<HTMLElement | null>(null);
  const openEditor = (template: TestTemplate | null) => {
    editOpener.current =
      document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setEditing({ template });
  };
  useEffect(() => {
    if (editing !== null || !editOpener.current) return;
    if (editOpener.current.isConnected) editOpener.current.focus();
    editOpener.current = null;
  }, [editing]);
  const [viewing, setViewing] = useState<TestTemplate | null>(null);
  const [confirming, setConfirming] = useState<{
    template: TestTemplate;
    action: TemplateAction;
  } | null>(null);
  // The template just deleted, until its Undo is used or dismissed.
  const [deleted, setDeleted] = useState<TestTemplate | null>(null);
  const queryClient = useQueryClient();
  const [importing, setImporting] = useState(false);
  const exporting = useMutation({ mutationFn: downloadExport });

  const total = templates.data?.total ?? 0;
  let emptyText = "No template matches.";
  if (total === 0 && !FILTER_KEYS.some((key) => params.get(key))) {
    emptyText = can("test_template.write")
      ? "The library is empty: write a template (New template) or import Atomic Red Team files (Import)."
      : "The library is empty.";
  }
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Test library</Title>
        <Group gap="xs">
          {can("test_template.write") && (
            <>
              <Button onClick={() => openEditor(null)}>New template</Button>
              <Button variant="light" onClick={() => setImporting(true)}>
                Import
              </Button>
            </>
          )}
          <Button
            variant="default"
            loading={exporting.isPending}
            onClick={() => exporting.mutate()}
          >
            Export
          </Button>
        </Group>
      </Group>
      {exporting.error && <ErrorAlert title="Export failed" error={exporting.error} />}
      {deleted && (
        <UndoAlert
          key={deleted.id}
          message={`Deleted the template ${deleted.name}.`}
          undo={() => restoreTemplate(deleted.id).then(() => refreshLibrary(queryClient))}
          onDone={() => setDeleted(null)}
          // Its row's Delete went with the row: the focus goes to Undo, not to the page.
          focusUndo
        />
      )}
      <TemplateFilters params={params} set={set} clear={clear} />
      {templates.isPending ? (
        <Loader size="sm" aria-label="Loading templates" />
      ) : templates.error ? (
        <ErrorAlert title="Templates unavailable" error={templates.error} />
      ) : (
        <>
          <Text size="sm" c="gray.7" data-testid="template-count" aria-live="polite">
            {total} template{total === 1 ? "" : "s"}
          </Text>
          <TemplateTable
            templates={templates.data.items}
            emptyText={emptyText}
            onOpen={setViewing}
            onEdit={openEditor}
            onDelete={(template) => setConfirming({ template, action: "delete" })}
            onRestore={(template) => setConfirming({ template, action: "restore" })}
          />
          {total > PAGE_SIZE && (
            <Pagination
              total={Math.ceil(total / PAGE_SIZE)}
              value={page}
              onChange={(next) => set("page", String(next))}
              getControlProps={(control) => ({ "aria-label": `${control} page` })}
            />
          )}
        </>
      )}
      {editing && (
        <TemplateFormModal
          key={editing.template?.id ?? "new"}
          opened
          template={editing.template}
          onClose={() => setEditing(null)}
        />
      )}
      <ImportModal opened={importing} onClose={() => setImporting(false)} />
      <ConfirmTemplateModal
        target={confirming}
        onClose={() => setConfirming(null)}
        onDeleted={setDeleted}
      />
      <TemplateDrawer template={viewing} onClose={() => setViewing(null)} />
    </Stack>
  );
}
