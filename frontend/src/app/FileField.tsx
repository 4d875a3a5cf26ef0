import { Input } from "@mantine/core";
import type { InputHTMLAttributes, ReactNode } from "react";
import { useId } from "react";

/**
 * A native, labelled file input: keyboard- and screen-reader-friendly as is, and the element
 * automation (Playwright's set_input_files) expects. Every other prop goes to the <input>;
 * `children` follow it (e.g. the chosen file's name).
 */
export function FileField({
  label,
  description,
  error,
  children,
  ...input
}: {
  label: ReactNode;
  description?: ReactNode;
  error?: ReactNode;
  children?: ReactNode;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "type" | "id">) {
  const id = useId();
  return (
    <Input.Wrapper
      label={label}
      description={description}
      labelProps={{ htmlFor: id }}
      error={error}
    >
      <input {...input} id={id} type="file" style={{ display: "block", marginTop: 6 }} />
      {children}
    </Input.Wrapper>
  );
}
