"""Layout checks run in the page."""

from __future__ import annotations

from playwright.sync_api import Locator

# For each run of letters in the element's text, whether the browser laid it out on one line: a
# name may wrap between words (or at a hyphen or slash), never inside one.
_WORDS_SPLIT_ACROSS_LINES = """el => {
  const split = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of node.data.matchAll(/[^\\s\\-\\/]+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
      if (lines.size > 1) split.push(word[0]);
    }
  }
  return split;
}"""


def words_split_across_lines(element: Locator) -> list[str]:
    """The words in `element` that the browser broke across two lines or more."""
    return element.evaluate(_WORDS_SPLIT_ACROSS_LINES)
