import { Input, Paper, Tabs, Textarea } from "@mantine/core";
import { useId } from "react";
import { Markdown } from "../../app/Markdown";

/** A Markdown textarea with a Preview tab, as the mission workspace will render it. */
export function MarkdownField({
  label,
  value,
  onChange,
  error,
  minRows = 3,
  description,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  minRows?: number;
  description?: string;
}) {
  const id = useId();
  return (
    <Input.Wrapper
      label={label}
      description={description}
      error={error}
      labelProps={{ htmlFor: id }}
    >
      <Tabs defaultValue="write" keepMounted={false} mt={4}>
        <Tabs.List>
          <Tabs.Tab value="write" aria-label={`Write ${label}`}>
            Write
          </Tabs.Tab>
          <Tabs.Tab value="preview" aria-label={`Preview ${label}`}>
            Preview
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="write" pt="xs">
          <Textarea
            id={id}
            value={value}
            onChange={(event) => onChange(event.currentTarget.value)}
            autosize
            minRows={minRows}
            maxRows={16}
            error={Boolean(error)}
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
          />
        </Tabs.Panel>
        <Tabs.Panel value="preview" pt="xs">
          <Paper withBorder p="sm" data-testid={`preview-${label}`}>
            <Markdown text={value} />
          </Paper>
        </Tabs.Panel>
      </Tabs>
    </Input.Wrapper>
  );
}
