"""What an import produces before it touches the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class FormatError(Exception):
    """The document cannot be imported at all (bad syntax or structure): nothing is written.

    `errors` maps the path of each problem (`atomic_tests.2.executor.name`, or `line 7`) to
    messages, in the API's validation error shape.
    """

    def __init__(self, detail: str, errors: dict[str, list[str]]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors

    @classmethod
    def naming(cls, document: str, errors: dict[str, list[str]]) -> FormatError:
        """`Not a valid <document>: <each path>.`, with the errors by path."""
        return cls(f"Not a valid {document}: {', '.join(errors)}.", errors)


def undecodable(error: UnicodeDecodeError, also: str = "") -> FormatError:
    """FormatError naming the first bytes that are not text, by line and column.

    `also` names the other encodings the reader accepts (" (or UTF-16)"). A Latin-1 file's `é`
    is the byte 0xE9, which cannot start a UTF-8 character.
    """
    name = _encoding_name(error.encoding)
    before = error.object[: error.start].decode(error.encoding, errors="replace")
    line = before.count("\n") + 1
    column = len(before) - before.rfind("\n")  # in characters, from 1
    where = f"line {line}, column {column}"
    bad = error.object[error.start : error.end]
    what = f"the byte{'s' if len(bad) > 1 else ''} {' '.join(f'0x{byte:02X}' for byte in bad)}"
    detail = f"The file is not {name}{also}: {what} at {where} cannot be decoded; save it as UTF-8."
    return FormatError(detail, {where: [f"Not {name}: {what} cannot be decoded."]})


def _encoding_name(codec: str) -> str:
    """`utf-16-le` → `UTF-16`: the encoding as people name it, without the byte order."""
    for name in ("UTF-8", "UTF-16", "UTF-32"):
        if codec.upper().replace("_", "-").startswith(name):
            return name
    return codec


# Items one import reads at most: several times Atomic Red Team's whole index, and few enough
# that the largest document accepted is imported well inside a worker's time limit
# (GUNICORN_TIMEOUT, 120 s by default; docs/performance.md, "Library import").
MAX_ITEMS = 10_000


class TooManyItems(FormatError):
    """The document holds more than MAX_ITEMS tests or templates: refused whole, unread."""

    def __init__(self, count: int, items: str, path: str, advice: str) -> None:
        problem = f"The document holds {count:,} {items}; one import takes at most {MAX_ITEMS:,}."
        super().__init__(f"{problem} {advice}", {path: [problem]})


@dataclass
class TemplateDraft:
    """The fields of one test template, as the create schema accepts them.

    `path` says where in the document it came from (for the import report); `key` is the
    template's id in the instance that exported it (our own format only); `former_refs` are
    source_refs an earlier import may have given the same template (an atomic's technique and
    name, before ART gave it a GUID). `values` are the fields once the create schema accepted
    them, or `problem` says why it did not.

    What a format does not carry stays as a matched template has it: `kept_tag_kinds` are the
    MITRE tag kinds the document never gives (an atomic has a technique, no tactic), and
    `own_references` gives, from a matched template's technique and sub-technique ids, the
    references an earlier import of the format wrote (the Atomic page of its technique); the
    template keeps its tags of those kinds and its other references.
    """

    path: str
    fields: dict[str, Any]
    key: str | None = None
    former_refs: tuple[str, ...] = ()
    kept_tag_kinds: tuple[str, ...] = ()
    own_references: Callable[[set[str]], set[str]] | None = None
    values: dict[str, Any] | None = None
    problem: str | None = None

    @property
    def source_ref(self) -> str | None:
        return self.fields.get("source_ref")
