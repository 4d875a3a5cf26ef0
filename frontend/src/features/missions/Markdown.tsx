import { Anchor, Typography } from "@mantine/core";
import Markdown from "react-markdown";

/**
 * A test's Markdown (description, procedure, notes). react-markdown builds React elements and
 * skips raw HTML, so nothing a user typed is ever injected as HTML; links open in a new tab
 * without a referrer.
 */
export function MarkdownText({ text }: { text: string | null | undefined }) {
  if (!text) return <em>None</em>;
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
        {text}
      </Markdown>
    </Typography>
  );
}
