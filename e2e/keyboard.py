"""Keyboard-only helpers for e2e tests: reach a control with Tab (or Shift+Tab) as a user
would, and at every stop on the way check what a keyboard or screen reader user meets there:
a visible focus indicator and an accessible name that says what the control does.

`Keyboard(page)` keeps the stops it passed (`.stops`), so a test can assert on them at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import CDPSession, Locator, Page

# Names that tell a screen reader user nothing about what the control does.
MEANINGLESS_NAME = re.compile(
    r"^(|button|link|icon|svg|img|image|x|×|\.\.\.|…|menu|close icon)$", re.IGNORECASE
)
# Roles whose name comes from their content or label and must say what they are.
NAMED_ROLES = {
    "button",
    "link",
    "textbox",
    "combobox",
    "checkbox",
    "radio",
    "switch",
    "tab",
    "menuitem",
    "option",
    "searchbox",
    "spinbutton",
    "slider",
}

# Fields that show their focus by their border's colour and the caret.
TEXT_FIELDS = {"textbox", "combobox", "searchbox", "spinbutton", "Date", "DateTime", "textarea"}

# What the focused element shows: an outline or a box-shadow ring (Mantine's inputs show their
# focus as a border colour, which `focus_shown` compares against the unfocused look).
FOCUS_STYLE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
        || (style.boxShadow && style.boxShadow !== "none");
    return {
        ring: !!ring,
        border: style.borderTopColor,
        visible: el.matches(":focus-visible"),
        tag: el.tagName.toLowerCase(),
        html: el.outerHTML.slice(0, 160),
    };
}"""


@dataclass
class Stop:
    role: str
    name: str
    ring: bool
    html: str


@dataclass
class Keyboard:
    page: Page
    stops: list[Stop] = field(default_factory=list)
    _cdp: CDPSession | None = None

    def focused(self) -> Stop | None:
        """The focused element's role and accessible name as Chromium computes them."""
        if self._cdp is None:
            self._cdp = self.page.context.new_cdp_session(self.page)
        style = self.page.evaluate(FOCUS_STYLE)
        if style is None:
            return None
        handle = self._cdp.send(
            "Runtime.evaluate", {"expression": "document.activeElement", "objectGroup": "kb"}
        )
        object_id = handle["result"].get("objectId")
        role, name = "", ""
        if object_id:
            tree = self._cdp.send(
                "Accessibility.getPartialAXTree", {"objectId": object_id, "fetchRelatives": False}
            )
            for node in tree["nodes"]:
                if node.get("ignored"):
                    continue
                role = node.get("role", {}).get("value", "")
                name = node.get("name", {}).get("value", "")
                break
            self._cdp.send("Runtime.releaseObjectGroup", {"objectGroup": "kb"})
        return Stop(role=role, name=name.strip(), ring=style["ring"], html=style["html"])

    def tab_to(self, target: Locator, *, back: bool = False, limit: int = 80) -> None:
        """Press Tab (Shift+Tab with `back`) until `target` has the focus, recording each stop."""
        target.wait_for()
        is_focused = "el => el === document.activeElement || el.contains(document.activeElement)"
        if target.evaluate(is_focused):
            return
        key = "Shift+Tab" if back else "Tab"
        for _ in range(limit):
            self.page.keyboard.press(key)
            stop = self.focused()
            if stop is not None:
                self.stops.append(stop)
            if target.evaluate(is_focused):
                return
        raise AssertionError(f"{target} never got the focus in {limit} presses of {key}")

    def problems(self) -> list[str]:
        """The stops whose name tells a screen reader user nothing (empty, "button", "×"…)."""
        return sorted(
            {
                f"unnamed {stop.role} {stop.name!r}: {stop.html}"
                for stop in self.stops
                if stop.role in NAMED_ROLES and MEANINGLESS_NAME.match(stop.name)
            }
        )

    def unringed(self) -> list[str]:
        """The stops with neither an outline nor a ring, text fields aside (Mantine shows their
        focus by the border's colour, and the caret)."""
        return sorted(
            {
                f"{stop.role} {stop.name!r}: {stop.html}"
                for stop in self.stops
                if not stop.ring and stop.role not in TEXT_FIELDS
            }
        )
