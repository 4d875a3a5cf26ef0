import { Modal } from "@mantine/core";
import type { ReactNode } from "react";

/**
 * A dialog that edits one object. Its form is mounted afresh at every opening (even one during
 * the closing transition), so it starts from the object as loaded then, and the version its
 * save names in If-Match is that one.
 */
export function EditModal({
  title,
  opened,
  onClose,
  children,
}: {
  title: string;
  opened: boolean;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={title}
      size="lg"
      closeButtonProps={{ "aria-label": "Close" }}
    >
      <div key={String(opened)}>{children}</div>
    </Modal>
  );
}
