import { PasswordInput, createTheme } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "violet",
  defaultRadius: "md",
  components: {
    PasswordInput: PasswordInput.extend({
      defaultProps: {
        // Mantine's default name, "Toggle password visibility", would make every
        // "Password" label ambiguous for assistive technology and tests alike.
        visibilityToggleButtonProps: { "aria-label": "Show or hide the characters typed" },
      },
    }),
  },
});
