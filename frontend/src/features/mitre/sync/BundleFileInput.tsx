import { Input, Text } from "@mantine/core";
import { useId } from "react";

/**
 * A native, labelled file input: keyboard- and screen-reader-friendly as is, and the
 * element automation (Playwright's set_input_files) expects.
 */
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
  const id = useId();
  return (
    <Input.Wrapper
      label="Bundle file"
      description="A STIX bundle (.json or .json.gz) as published by MITRE."
      labelProps={{ htmlFor: id }}
      error={error}
    >
      <input
        id={id}
        type="file"
        accept=".json,.gz,application/json,application/gzip"
        disabled={disabled}
        onChange={(event) => onChange(event.currentTarget.files?.[0] ?? null)}
        style={{ display: "block", marginTop: 6 }}
      />
      {file && (
        <Text size="xs" c="gray.7" mt={4}>
          {file.name} · {(file.size / 1024).toFixed(0)} KB
        </Text>
      )}
    </Input.Wrapper>
  );
}
