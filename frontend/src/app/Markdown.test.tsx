import { MantineProvider } from "@mantine/core";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "./Markdown";

function html(text: string): string {
  return renderToStaticMarkup(
    <MantineProvider>
      <Markdown text={text} />
    </MantineProvider>,
  );
}

describe("Markdown", () => {
  it("renders a table (the input arguments of an imported atomic) as a table", () => {
    const out = html(
      [
        "| Name | Type | Default |",
        "| --- | --- | --- |",
        "| `passwords` | string | ``Password1`nPassword!`` |",
        "| `filter` | string | `a\\|b` |",
      ].join("\n"),
    );
    expect(out).toContain("<table>");
    expect(out).toContain("<th>Default</th>");
    expect(out).toContain("<td><code>Password1`nPassword!</code></td>");
    expect(out).toContain("<td><code>a|b</code></td>");
  });

  it("still skips raw HTML", () => {
    const out = html('Hello <img src="x" onerror="alert(1)"> <b>bold</b>');
    expect(out).not.toContain("<img");
    expect(out).not.toContain("<b>");
  });

  it("opens links, bare URLs included, in a new tab without referrer", () => {
    const out = html("[docs](https://example.test/a) and https://example.test/b");
    expect(out.match(/target="_blank"/g)).toHaveLength(2);
    expect(out.match(/rel="noopener noreferrer"/g)).toHaveLength(2);
  });

  it("keeps a footnote's link, which points into the page, in the same tab", () => {
    const out = html("Run it twice.[^1]\n\n[^1]: The first run installs.");
    expect(out).toContain('href="#user-content-fn-1"');
    expect(out).not.toContain("_blank");
  });

  it("drops a javascript: link target", () => {
    expect(html("[x](javascript:alert(1))")).not.toContain("javascript:");
  });
});
