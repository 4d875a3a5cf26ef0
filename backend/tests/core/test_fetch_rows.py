"""`fetch_rows` (core/database.py): a select built once, sent straight to psycopg, answers
what `connection.execute` answers, with SQLAlchemy's conversions and error handling."""

import uuid

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    Uuid,
    bindparam,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError

from violet.core.database import _DRIVER_SELECTS, fetch_rows


class Shouted(TypeDecorator[str]):
    """Converts both ways, as SQLAlchemy's own types may: stored lower case, read upper case."""

    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.lower() if value is not None else None

    def process_result_value(self, value, dialect):
        return value.upper() if value is not None else None


probe_metadata = MetaData()
probe = Table(
    "fetch_rows_probe",
    probe_metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Uuid),
    Column("name", Shouted),
    Column("tags", ARRAY(String(10))),
)
KEYS = [uuid.uuid4() for _ in range(3)]


@pytest.fixture
def probe_rows(db_connection):
    probe_metadata.create_all(db_connection)
    db_connection.execute(
        insert(probe),
        [
            {"id": 1, "key": KEYS[0], "name": "alpha", "tags": ["a", "b"]},
            {"id": 2, "key": KEYS[1], "name": "bravo", "tags": []},
            {"id": 3, "key": KEYS[2], "name": "charlie", "tags": None},
        ],
    )


BY_KEY_OR_NAME = (
    select(probe.c.id, probe.c.name, probe.c.tags, probe.c.id.label("id_again"))
    .where((probe.c.key == bindparam("key")) | (probe.c.name == bindparam("name")))
    .order_by(probe.c.id)
    .limit(bindparam("limit"))
)


def test_the_rows_are_those_connection_execute_gives(db_connection, probe_rows):
    parameters = {"key": KEYS[0], "name": "CHARLIE", "limit": 5}
    expected = [(1, "ALPHA", ["a", "b"], 1), (3, "CHARLIE", None, 3)]

    # The first run goes through SQLAlchemy, the next ones straight to the driver.
    assert fetch_rows(db_connection, BY_KEY_OR_NAME, parameters) == expected
    assert fetch_rows(db_connection, BY_KEY_OR_NAME, parameters) == expected
    assert _DRIVER_SELECTS[BY_KEY_OR_NAME] is not None
    assert list(db_connection.execute(BY_KEY_OR_NAME, parameters)) == expected


def test_a_select_built_for_each_run_is_left_to_sqlalchemy_s_cache(db_connection, probe_rows):
    for _ in range(3):
        built_now = select(probe.c.name).where(probe.c.id == bindparam("id"))
        assert fetch_rows(db_connection, built_now, {"id": 2}) == [("BRAVO",)]
        assert built_now not in _DRIVER_SELECTS


def test_an_in_list_runs_through_sqlalchemy(db_connection, probe_rows):
    in_list = select(probe.c.name).where(probe.c.id.in_(bindparam("ids", expanding=True)))
    for _ in range(2):
        assert sorted(fetch_rows(db_connection, in_list, {"ids": [2, 3]})) == [
            ("BRAVO",),
            ("CHARLIE",),
        ]
    assert _DRIVER_SELECTS[in_list] is None


def test_statements_are_seen_by_listeners(db_connection, probe_rows, count_statements):
    with count_statements() as counter:
        rows = fetch_rows(db_connection, BY_KEY_OR_NAME, {"key": KEYS[1], "name": "", "limit": 1})
    assert counter.count == 1
    assert rows == [(2, "BRAVO", [], 2)]


def test_an_error_is_sqlalchemy_s_and_the_connection_goes_on(db_connection):
    division = select(literal(1) / bindparam("divisor", type_=Integer))
    assert fetch_rows(db_connection, division, {"divisor": 2}) == [(0.5,)]  # SQLAlchemy's run
    savepoint = db_connection.begin_nested()
    with pytest.raises(DBAPIError) as raised:
        fetch_rows(db_connection, division, {"divisor": 0})
    assert raised.value.orig.sqlstate == "22012"  # division_by_zero, with its statement
    assert "divisor" in str(raised.value.statement)
    savepoint.rollback()
    assert fetch_rows(db_connection, division, {"divisor": 1}) == [(1,)]


def test_a_connection_outside_a_transaction_begins_one_as_execute_would(app, probe_rows):
    from violet.extensions import db

    statement = select(literal(1))
    with db.engine.connect() as connection:
        for _ in range(2):  # SQLAlchemy's first run, then the driver's
            connection.rollback()
            assert fetch_rows(connection, statement, {}) == [(1,)]
            assert connection.in_transaction()
