import { Anchor, Text, Typography } from "@mantine/core";
import ReactMarkdown from "react-markdown";

/** User Markdown rendered safely: raw HTML skipped, links open in a new tab without referrer. */
export function Markdown({
  text,
  empty = "Nothing yet.",
}: {
  text?: string | null;
  empty?: string;
}) {
  if (!text?.trim()) {
    return (
      <Text size="sm" c="gray.7">
        {empty}
      </Text>
    );
  }
  return (
    <Typography fz="sm">
      <ReactMarkdown
        skipHtml
        components={{
          // A code block scrolls sideways: keyboard users must be able to focus it to scroll.
          pre: ({ children }) => <pre tabIndex={0}>{children}</pre>,
          a: ({ href, children }) => (
            <Anchor href={href} target="_blank" rel="noopener noreferrer" inherit>
              {children}
            </Anchor>
          ),
        }}
      >
        {text}
      </ReactMarkdown>
    </Typography>
  );
}
