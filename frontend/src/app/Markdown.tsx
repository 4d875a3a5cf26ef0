import { Anchor, Text, Typography } from "@mantine/core";
import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";

/**
 * User Markdown rendered safely: raw HTML skipped, links open in a new tab without referrer.
 * GitHub's extensions (remark-gfm) add tables, which imported atomics use for their input
 * arguments, strikethrough, task lists and bare URLs as links (through the same link rule).
 */
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
        remarkPlugins={[remarkGfm]}
        components={{
          // A code block scrolls sideways: keyboard users must be able to focus it to scroll.
          pre: ({ children }) => <pre tabIndex={0}>{children}</pre>,
          // So does a wide table (a long default in an atomic's arguments), not the page.
          table: ({ children }) => (
            <div tabIndex={0} style={{ overflowX: "auto" }}>
              <table>{children}</table>
            </div>
          ),
          a: ({ href, children }) =>
            // A footnote's link points into the page itself: no new tab for it.
            href?.startsWith("#") ? (
              <Anchor href={href} inherit>
                {children}
              </Anchor>
            ) : (
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
