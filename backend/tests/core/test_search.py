import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from violet.core.search import contains_any, escape_like
from violet.extensions import db

probe_metadata = MetaData()
probe = Table(
    "search_probe",
    probe_metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40)),
    Column("code", String(20)),
)


@pytest.fixture
def probe_rows(db_connection):
    probe_metadata.create_all(db_connection)
    rows = [
        ("100% Coverage", "A1"),
        ("1000 users", "A2"),
        ("log_in", "B1"),
        ("login", "B2"),
        ("C:\\Windows", "C1"),
        ("C:Windows", "C2"),
    ]
    db_connection.execute(
        insert(probe), [{"id": i, "name": n, "code": c} for i, (n, c) in enumerate(rows)]
    )


def names_matching(q: str) -> list[str]:
    statement = select(probe.c.name).where(contains_any(q, probe.c.name, probe.c.code))
    return sorted(db.session.execute(statement.order_by(probe.c.id)).scalars())


def test_escape_like_escapes_backslash_first():
    assert escape_like("a\\b%c_d") == "a\\\\b\\%c\\_d"


@pytest.mark.parametrize(
    "q, expected",
    [
        ("100%", ["100% Coverage"]),
        ("log_in", ["log_in"]),
        ("C:\\", ["C:\\Windows"]),
        ("LOGIN", ["login"]),
        ("b1", ["log_in"]),
        ("%", ["100% Coverage"]),
        ("_", ["log_in"]),
    ],
)
def test_search_is_a_literal_case_insensitive_substring(probe_rows, q, expected):
    assert names_matching(q) == expected


def test_needs_a_column():
    with pytest.raises(ValueError):
        contains_any("x")
