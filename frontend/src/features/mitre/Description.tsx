import { Anchor, Text, Typography } from "@mantine/core";
import Markdown from "react-markdown";

/** ATT&CK cites its sources inline as "(Citation: Name)"; the references are not ours to show. */
export function stripCitations(text: string): string {
  return text.replace(/\s*\(Citation:(?:[^()]|\([^()]*\))*\)/g, "");
}

/**
 * ATT&CK descriptions are Markdown with the odd HTML tag. Rendered by react-markdown with raw
 * HTML skipped (never dangerouslySetInnerHTML), links opened in a new tab without a referrer.
 */
export function Description({ text }: { text: string | null | undefined }) {
  if (!text) {
    return (
      <Text size="sm" c="dimmed">
        No description.
      </Text>
    );
  }
  return (
    <Typography fz="sm">
      <Markdown
        skipHtml
        components={{
          a: ({ href, children }) => (
            <Anchor href={href} target="_blank" rel="noopener noreferrer" inherit>
              {children}
            </Anchor>
          ),
        }}
      >
        {stripCitations(text)}
      </Markdown>
    </Typography>
  );
}
