"""The mixins and the naming convention, on a probe table built in the test transaction."""

import uuid

import pytest
from sqlalchemy import Column, MetaData, String, Table, Uuid, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.schema import CreateIndex, CreateTable

from violet.core.errors import Unprocessable
from violet.core.models import (
    NAMING_CONVENTION,
    TYPE_ANNOTATION_MAP,
    SoftDeleteMixin,
    TimestampMixin,
    UuidPkMixin,
    VersionMixin,
    active_index,
    including_deleted,
    live_rows_only,
)
from violet.core.versioning import parse_if_match
from violet.extensions import db


class ProbeBase(DeclarativeBase):
    # Same conventions as violet's Base, but a metadata of its own so migrations never see it.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map=TYPE_ANNOTATION_MAP,
    )


# Stand-in for the users table the audit columns point at.
Table("users", ProbeBase.metadata, Column("id", Uuid, primary_key=True))


class Probe(UuidPkMixin, TimestampMixin, VersionMixin, SoftDeleteMixin, ProbeBase):
    __tablename__ = "probe_things"
    __table_args__ = (active_index("probe_things", "name"),)
    name: Mapped[str] = mapped_column(String(50))


@pytest.fixture
def probe_table(db_connection):
    db_connection.exec_driver_sql("CREATE TEMPORARY TABLE users (id uuid PRIMARY KEY)")
    ddl = str(CreateTable(Probe.__table__).compile(db_connection)).replace(
        "CREATE TABLE", "CREATE TEMPORARY TABLE"
    )
    db_connection.exec_driver_sql(ddl)
    for index in Probe.__table__.indexes:
        db_connection.execute(CreateIndex(index))


def test_naming_convention_names_constraints():
    ddl = str(CreateTable(Probe.__table__).compile(dialect=db.engine.dialect))
    assert "CONSTRAINT pk_probe_things PRIMARY KEY" in ddl
    assert "CONSTRAINT fk_probe_things_deleted_by_users" in ddl
    index = next(iter(Probe.__table__.indexes))
    assert index.name == "ix_probe_things_active"
    assert "WHERE deleted_at IS NULL" in str(CreateIndex(index).compile(dialect=db.engine.dialect))


def test_server_defaults_fill_id_timestamps_and_version(probe_table):
    thing = Probe(name="first")
    db.session.add(thing)
    db.session.flush()
    db.session.refresh(thing)
    assert isinstance(thing.id, uuid.UUID)
    assert thing.created_at.tzinfo is not None
    assert thing.version == 1


def test_every_update_bumps_version_and_stale_writers_lose(probe_table):
    thing = Probe(name="v1")
    db.session.add(thing)
    db.session.flush()
    thing.name = "v2"
    db.session.flush()
    assert thing.version == 2

    # Another writer changed the row behind this session's back.
    db.session.execute(Probe.__table__.update().where(Probe.id == thing.id).values(version=3))
    thing.name = "v3"
    with pytest.raises(StaleDataError):
        db.session.flush()


def test_soft_deleted_rows_are_hidden_from_every_query_unless_asked_for(probe_table):
    kept, gone = Probe(name="kept"), Probe(name="gone")
    db.session.add_all([kept, gone])
    db.session.flush()
    gone.soft_delete()
    db.session.flush()
    db.session.expire_all()

    live = db.session.scalars(select(Probe)).all()
    counted = db.session.scalar(select(func.count()).select_from(Probe))
    everything = db.session.scalars(including_deleted(select(Probe))).all()
    assert [p.name for p in live] == ["kept"]
    assert counted == 1
    assert {p.name for p in everything} == {"kept", "gone"}
    assert gone.is_deleted
    db.session.expunge_all()  # `get` answers from the identity map when it can
    assert db.session.get(Probe, gone.id) is None

    gone = db.session.scalars(including_deleted(select(Probe).where(Probe.name == "gone"))).one()
    gone.restore()
    db.session.flush()
    assert len(db.session.scalars(select(Probe)).all()) == 2


def test_a_statement_built_once_keeps_hiding_deleted_rows(probe_table):
    """`live_rows_only` puts the criteria in the statement itself (the hook then adds none)."""
    kept, gone = Probe(name="kept"), Probe(name="gone")
    db.session.add_all([kept, gone])
    db.session.flush()
    gone.soft_delete()
    db.session.flush()
    statement = live_rows_only(select(Probe.name).order_by(Probe.name))

    assert db.session.scalars(statement).all() == ["kept"]
    assert db.session.scalars(statement).all() == ["kept"]  # the same object, run again


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, None),
        ("", None),
        ("*", None),
        ("3", {3}),
        ('"3"', {3}),
        ('W/"7"', {7}),
        ('"999", "3"', {3, 999}),
        ('3, W/"4",, "5"', {3, 4, 5}),
    ],
)
def test_if_match_accepts_quoted_or_bare_versions_and_lists(header, expected):
    assert parse_if_match(header) == expected


def test_if_match_rejects_garbage():
    with pytest.raises(Unprocessable):
        parse_if_match('"abc"')
