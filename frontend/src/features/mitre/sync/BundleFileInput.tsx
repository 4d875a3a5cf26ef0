import { Text } from "@mantine/core";
import { FileField } from "../../../app/FileField";

/** The bundle to sync from a file, with its name and size once chosen. */
export function BundleFileInput({
  file,
  onChange,
  disabled,
  error,
}: {
  file: File | null;
  onChange: (file: File | null) => void;
  disabled: boolean;
  error?: React.ReactNode;
}) {
  return (
    <FileField
      label="Bundle file"
      description="A STIX bundle (.json or .json.gz) as published by MITRE."
      error={error}
      accept=".json,.gz,application/json,application/gzip"
      disabled={disabled}
      onChange={(event) => onChange(event.currentTarget.files?.[0] ?? null)}
    >
      {file && (
        <Text size="xs" c="gray.7" mt={4}>
          {file.name} · {(file.size / 1024).toFixed(0)} KB
        </Text>
      )}
    </FileField>
  );
}
