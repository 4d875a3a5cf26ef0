/** Shown where blue picks tools while there are none yet (the admin page's place in the menu). */
export const NO_TOOLS_YET =
  "No defense tools yet: an administrator adds them under Admin → Defense tools.";
