"""What an import produces before it touches the database."""

from __future__ import annotations

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


@dataclass
class TemplateDraft:
    """The fields of one test template, as the create schema accepts them.

    `path` says where in the document it came from (for the import report); `key` is the
    template's id in the instance that exported it (our own format only); `former_refs` are
    source_refs an earlier import may have given the same template (an atomic's technique and
    name, before ART gave it a GUID). `values` are the fields once the create schema accepted
    them, or `problem` says why it did not.
    """

    path: str
    fields: dict[str, Any]
    key: str | None = None
    former_refs: tuple[str, ...] = ()
    values: dict[str, Any] | None = None
    problem: str | None = None

    @property
    def source_ref(self) -> str | None:
        return self.fields.get("source_ref")
