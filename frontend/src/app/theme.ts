import { Alert, Badge, type CSSVariablesResolver, PasswordInput, createTheme } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "violet",
  defaultRadius: "md",
  components: {
    // Contrast of at least 4.5:1 (WCAG AA): a filled badge picks black or white text for its
    // colour, and alert titles are in the text colour (the icon and tint keep the meaning).
    Badge: Badge.extend({ defaultProps: { autoContrast: true } }),
    Alert: Alert.extend({ styles: { title: { color: "var(--mantine-color-text)" } } }),
    PasswordInput: PasswordInput.extend({
      defaultProps: {
        // Mantine's default name, "Toggle password visibility", would make every
        // "Password" label ambiguous for assistive technology and tests alike.
        visibilityToggleButtonProps: { "aria-label": "Show or hide the characters typed" },
      },
    }),
  },
});

/**
 * Mantine's "dimmed" grey and error red are below the 4.5:1 contrast WCAG AA asks of text on white; gray.7
 * and red.9 are above it, so dimmed text and field errors stay readable (the e2e suite runs axe on each page).
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-error": "var(--mantine-color-red-9)",
  },
  dark: {},
});
