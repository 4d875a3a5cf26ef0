"""Spreadsheet-safe CSV (docs/coverage.md, "Exports").

A cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
carriage return) gets a leading apostrophe, which spreadsheets show as text. The file starts
with a UTF-8 byte order mark so that Excel reads accents correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralised(value: Any) -> Any:
    """`value` as a spreadsheet reads it safely: text that starts a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_document(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A UTF-8 CSV (with BOM) of `rows` under `header`; None is an empty cell."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralised(name) for name in header])
    for row in rows:
        writer.writerow(["" if cell is None else neutralised(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")
