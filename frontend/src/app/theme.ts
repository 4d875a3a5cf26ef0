import {
  Alert,
  type CSSVariablesResolver,
  Drawer,
  Menu,
  Modal,
  PasswordInput,
  createTheme,
  darken,
} from "@mantine/core";

export const theme = createTheme({
  primaryColor: "violet",
  defaultRadius: "md",
  // Filled buttons and badges pick black or white text, whichever reaches 4.5:1 (WCAG AA) on
  // their background: a background luminance of 0.179 is where the two are equal (Mantine's
  // default threshold, 0.3, puts white on gray-6 at 3.3:1).
  autoContrast: true,
  luminanceThreshold: 0.179,
  components: {
    // Alert titles are in the text colour (the icon and tint keep the meaning): 4.5:1 at least.
    Alert: Alert.extend({ styles: { title: { color: "var(--mantine-color-text)" } } }),
    PasswordInput: PasswordInput.extend({
      defaultProps: {
        // Mantine's default name, "Toggle password visibility", would make every
        // "Password" label ambiguous for assistive technology and tests alike.
        visibilityToggleButtonProps: { "aria-label": "Show or hide the characters typed" },
        // Mantine leaves the button out of the tab order (tabindex=-1): keyboard users could
        // not reveal what they typed.
        visibilityToggleFocusable: true,
      },
    }),
    // Mantine's close buttons are icons without a name; a page may give a more precise one.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close" } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close" } } }),
    Menu: Menu.extend({
      // The focus placeholder Mantine puts first in a menu is a focusable role="presentation"
      // element, which a role="menu" may not contain (axe: aria-required-children).
      defaultProps: { withInitialFocusPlaceholder: false },
    }),
  },
});

/**
 * Text colours that reach WCAG AA's 4.5:1 where Mantine's light-scheme defaults do not:
 * "dimmed" and placeholder greys (gray-6 at 3.3:1 and gray-5 at 2.1:1 on white) become gray-7
 * (8.2:1); coloured text (`c="red"`, light, subtle and outline variants: badges, alerts, the
 * active nav link, outlined buttons such as Delete, red-6 at 3.3:1 on white) becomes each
 * colour's shade 9 darkened by 30% (green-9 alone is 3.8:1 on green-1; darkened,
 * the worst colour, yellow, is 4.7:1 on its shade 2); links are violet-7 (5.5:1 on white, and 3.8:1
 * against body text so they stay distinguishable from it).
 */
export const cssVariablesResolver: CSSVariablesResolver = (resolvedTheme) => {
  const light: Record<string, string> = {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-placeholder": "var(--mantine-color-gray-7)",
    "--mantine-color-anchor": `var(--mantine-color-${resolvedTheme.primaryColor}-7)`,
    "--mantine-color-error": "var(--mantine-color-red-text)",
  };
  for (const [name, shades] of Object.entries(resolvedTheme.colors)) {
    const readable = darken(shades[9], 0.3);
    light[`--mantine-color-${name}-text`] = readable;
    light[`--mantine-color-${name}-light-color`] = readable;
    light[`--mantine-color-${name}-outline`] = readable;
  }
  return { variables: {}, light, dark: {} };
};
