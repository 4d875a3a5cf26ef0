"""The printable HTML report of a mission: an autoescaped Jinja template (docs/coverage.md).

Everything a user typed (names, commands) goes through Jinja's autoescaping; the Markdown
fields the mission page renders as Markdown (the mission's description, red and blue notes) are
rendered here too, by `markdown`, with raw HTML escaped and only safe links. The report carries
no script and loads nothing from elsewhere. Print CSS keeps rows and heatmap columns whole
across page breaks.
"""

# ruff: noqa: E501  (the template's HTML lines read better whole)
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, StrictUndefined
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

# The link protocols the browser's Markdown keeps (react-markdown's defaultUrlTransform, in
# frontend/src/app/Markdown.tsx); a link without a protocol is relative.
SAFE_PROTOCOLS = ("http", "https", "irc", "ircs", "mailto", "xmpp")
LINK_REL = "noopener noreferrer"


class ReportMarkdown(MarkdownIt):
    """CommonMark with the GitHub tables and strikethrough the browser's remark-gfm adds, raw
    HTML escaped as text (`html: False`, as the browser's `skipHtml` leaves it out), links only
    to `SAFE_PROTOCOLS` (a `javascript:` or `data:` link stays its Markdown text), and images
    as links: a saved or printed report fetches nothing from elsewhere."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False})
        self.enable(["table", "strikethrough"])
        self.add_render_rule("link_open", _link_open)
        self.add_render_rule("image", _image)

    def validateLink(self, url: str) -> bool:
        """As react-markdown decides: no protocol (relative), or a safe one. A colon after a
        `/`, `?` or `#` is not a protocol's."""
        colon = url.find(":")
        if colon == -1:
            return True
        if any(0 <= url.find(mark) < colon for mark in "/?#"):
            return True
        return url[:colon].lower() in SAFE_PROTOCOLS


def _link_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tokens[idx].attrSet("rel", LINK_REL)
    return renderer.renderToken(tokens, idx, options, env)


def _image(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """An image as a link named by its alt text ("Image: network diagram")."""
    token = tokens[idx]
    source = str(token.attrGet("src") or "")
    alt = renderer.renderInlineAsText(token.children or [], options, env) or source
    return f'<a href="{escapeHtml(source)}" rel="{LINK_REL}">Image: {escapeHtml(alt)}</a>'


MARKDOWN = ReportMarkdown()


def markdown(text: str | None) -> Markup:
    """User Markdown as safe HTML (empty for no text)."""
    return Markup(MARKDOWN.render(text)) if text and text.strip() else Markup("")


ENVIRONMENT = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True)
ENVIRONMENT.filters["markdown"] = markdown


def count(number: int, one: str, many: str | None = None) -> str:
    """`1 test`, `2 tests`: the report's counts in words that agree with them."""
    return f"{number} {one if number == 1 else many or one + 's'}"


ENVIRONMENT.globals["count"] = count

TEMPLATE = ENVIRONMENT.from_string(
    """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ mission.name }} — coverage report{% if organisation %} — {{ organisation }}{% endif %}</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; color: #1b1f24; margin: 2rem; }
  h1 { margin-bottom: .2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
  .meta { color: #424a53; } .score { font-size: 2rem; font-weight: 700; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
  thead { display: table-header-group; } tr, .tactic { break-inside: avoid; }
  .matrix { display: flex; flex-wrap: wrap; gap: .5rem; }
  .tactic { flex: 1 1 10rem; border: 1px solid #d0d7de; padding: .3rem; }
  .cell { border-left: .5rem solid; padding: .2rem .4rem; margin: .2rem 0; background: #f6f8fa; }
  .legend span { display: inline-block; margin-right: 1rem; border-left: .8rem solid; padding-left: .3rem; }
  pre { white-space: pre-wrap; margin: 0; }
  .md > :first-child { margin-top: 0; } .md > :last-child { margin-bottom: 0; }
  .md h1, .md h2, .md h3, .md h4, .md h5, .md h6 { font-size: 1em; border: 0; margin: .5rem 0 .2rem; }
  .md code { background: #f6f8fa; padding: 0 .2rem; } .md blockquote { margin: 0 0 0 .8rem; padding-left: .5rem; border-left: .2rem solid #d0d7de; }
  @media print { body { margin: 0; } h2 { break-after: avoid; } .matrix { display: block; }
    .tactic { display: inline-block; width: 30%; vertical-align: top; } }
</style>
</head>
<body>
{% if organisation %}<p class="meta">{{ organisation }}</p>{% endif %}
<h1>{{ mission.name }}</h1>
<p class="meta">Status: {{ mission.status|capitalize }}
{% if mission.environment %} · Environment: {{ mission.environment }}{% endif %}
{% if mission.start_date %} · {{ mission.start_date }}{% endif %}
{% if mission.end_date %} – {{ mission.end_date }}{% endif %}
 · Generated {{ generated_at }}</p>
{% if mission.description %}<div class="md">{{ mission.description|markdown }}</div>{% endif %}

<h2>Summary</h2>
<p><span class="score">{{ fmt(coverage.score) }}</span> / 100 mission score</p>
<p>{{ count(coverage.tests, "test") }} counted ({{ coverage.scored_tests }} scored) out of
{{ count(tests|length, "run") }}; {{ count(coverage.techniques|length, "technique or sub-technique", "techniques and sub-techniques") }} covered.</p>
<p class="legend">{% for level in levels %}<span style="border-color: {{ level.color }}">{{ level.name }}{% if level.score is not none %} ({{ level.score }}){% endif %}</span>{% endfor %}</p>

<h2>Scores by tactic</h2>
<table>
<thead><tr><th scope="col">Tactic</th><th scope="col">Score</th><th scope="col">Tests</th><th scope="col">Outcomes</th></tr></thead>
<tbody>
{% for tactic in coverage.tactics %}
<tr><td>{{ tactic.external_id }} {{ tactic.name }}</td><td>{{ fmt(tactic.score) }}</td><td>{{ tactic.tests }}</td><td>{{ outcomes(tactic.outcomes) }}</td></tr>
{% else %}
<tr><td colspan="4">No completed test yet.</td></tr>
{% endfor %}
</tbody>
</table>

<h2>Matrix heatmap</h2>
<div class="matrix">
{% for tactic in coverage.tactics %}
<section class="tactic" aria-label="{{ tactic.name }}">
<strong>{{ tactic.name }}</strong>
{% for technique in coverage.techniques if tactic.external_id in technique.tactics %}
<div class="cell" style="border-color: {{ color(technique.score) }}">{{ technique.external_id }} {{ technique.name }} — {{ fmt(technique.score) }}</div>
{% endfor %}
</section>
{% endfor %}
</div>

<h2>Tests</h2>
<table>
<thead><tr><th scope="col">#</th><th scope="col">Test</th><th scope="col">ATT&amp;CK</th><th scope="col">State</th><th scope="col">Outcome</th><th scope="col">Red</th><th scope="col">Blue</th></tr></thead>
<tbody>
{% for test in tests %}
<tr>
<td>{{ test.position + 1 }}</td>
<td>{{ test.name }}{% if test.retest_of_id %} (retest){% endif %}</td>
<td>{% for tag in test.mitre %}{{ tag.external_id }} {{ tag.name }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td>
<td>{{ state_labels[test.state] }}</td>
<td>{{ test.detection_level or "—" }}{% for detection in test.tool_detections %}<br>{{ detection.tool }}{% if detection.tool_deleted %} (deleted){% endif %}: {{ detection.detection_level or "—" }}{% if detection.rule_ref %}, rule {{ detection.rule_ref }}{% endif %}{% if detection.detected_at %}, detected {{ when(detection.detected_at) }}{% endif %}{% if detection.notes %}<div class="md">{{ detection.notes|markdown }}</div>{% endif %}{% endfor %}</td>
<td>{% if test.executed_at %}{{ when(test.executed_at) }}{% if test.executed_by %} by {{ test.executed_by }}{% endif %}<br>{% endif %}{% if test.source_host or test.target_host %}{{ test.source_host or "?" }} → {{ test.target_host or "?" }}<br>{% endif %}{% if test.command_executed %}<pre>{{ test.command_executed }}</pre>{% endif %}{% if test.red_notes %}<div class="md">{{ test.red_notes|markdown }}</div>{% endif %}</td>
<td>{% if test.detected_at %}{{ when(test.detected_at) }}<br>{% endif %}{% if test.detection_notes %}<div class="md">{{ test.detection_notes|markdown }}</div>{% endif %}{% if test.detection_refs %}Refs: {{ test.detection_refs|join(", ") }}{% endif %}</td>
</tr>
{% endfor %}
</tbody>
</table>

<h2>Evidence</h2>
<table>
<thead><tr><th scope="col">Test</th><th scope="col">File</th><th scope="col">Team</th><th scope="col">Caption</th><th scope="col">Size</th><th scope="col">Uploaded</th><th scope="col">SHA-256</th></tr></thead>
<tbody>
{% for row in evidence %}
<tr><td>{{ row.test.position + 1 }} {{ row.test.name }}</td><td>{{ row.file.filename }}</td><td>{{ row.file.category|capitalize }}</td><td>{{ row.file.caption or "" }}</td><td>{{ count(row.file.size, "byte") }}</td><td>{{ when(row.file.created_at.isoformat()) }} by {{ row.file.created_by }}</td><td><code>{{ row.file.sha256 }}</code></td></tr>
{% else %}
<tr><td colspan="7">No evidence files.</td></tr>
{% endfor %}
</tbody>
</table>
</body>
</html>
"""
)


# A test's states as the mission page shows them (frontend/src/features/missions/stateLabels.ts).
STATE_LABELS = {
    "pending": "Pending",
    "in_progress": "In progress",
    "waiting_blue": "Waiting for blue",
    "completed": "Completed",
    "cancelled": "Cancelled",
}


def render_report(context: dict[str, Any]) -> str:
    return TEMPLATE.render(when=when, state_labels=STATE_LABELS, **context)


def when(moment: str) -> str:
    """An ISO 8601 timestamp of the exports (`2026-12-01T12:36:40.867192+00:00`) as a reader
    wants it: `2026-12-01 12:36 UTC`."""
    return datetime.fromisoformat(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
