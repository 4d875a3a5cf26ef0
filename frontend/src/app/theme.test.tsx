import { MantineProvider, PasswordInput } from "@mantine/core";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { theme } from "./theme";

describe("theme", () => {
  it("lets the keyboard reach a password's show/hide button, which has a name", () => {
    const out = renderToStaticMarkup(
      <MantineProvider theme={theme}>
        <PasswordInput label="Password" />
      </MantineProvider>,
    );
    const toggle = out.match(/<button[^>]*PasswordInput-visibilityToggle[^>]*>/)?.[0];
    expect(toggle).toBeDefined();
    expect(toggle).toContain('aria-label="Show or hide the characters typed"');
    expect(toggle).not.toMatch(/tabindex="-1"/);
  });
});
