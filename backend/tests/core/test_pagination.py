import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, insert, select

from violet.core.errors import Unprocessable
from violet.core.models import prepared
from violet.core.pagination import PageQuery, order_by_clauses, paginate

probe_metadata = MetaData()
probe = Table(
    "pagination_probe",
    probe_metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
)
SORTABLE = {"id": probe.c.id, "name": probe.c.name}


@pytest.fixture
def probe_rows(db_connection):
    probe_metadata.create_all(db_connection)
    names = ["delta", "alpha", "charlie", "bravo", "echo"]
    db_connection.execute(insert(probe), [{"id": i + 1, "name": n} for i, n in enumerate(names)])


def page(statement, limit=50, offset=0, sort=None):
    query = {"limit": limit, "offset": offset, "sort": sort}
    return paginate(statement, query, sortable=SORTABLE, default_sort="id", tiebreaker=probe.c.id)


def test_page_envelope_and_total(probe_rows):
    result = page(select(probe.c.name), limit=2, offset=1, sort="name")
    assert result == {"items": ["bravo", "charlie"], "total": 5, "limit": 2, "offset": 1}


def test_descending_sort(probe_rows):
    assert page(select(probe.c.name), limit=3, sort="-name")["items"] == [
        "echo",
        "delta",
        "charlie",
    ]


def test_offset_past_the_end_keeps_total(probe_rows):
    result = page(select(probe.c.id), limit=10, offset=50)
    assert result["items"] == [] and result["total"] == 5


def test_one_statement_whatever_the_page_size(probe_rows, count_statements):
    for limit in (1, 5):
        with count_statements() as counter:
            assert page(select(probe.c.id), limit=limit)["total"] == 5
        assert counter.count == 1


def test_an_empty_result_is_one_statement(probe_rows, count_statements):
    with count_statements() as counter:
        result = page(select(probe.c.id).where(probe.c.id > 100))
    assert result["items"] == [] and result["total"] == 0 and counter.count == 1


def test_distinct_statements_are_refused(probe_rows):
    with pytest.raises(ValueError, match="DISTINCT"):
        page(select(probe.c.name).distinct())


def test_unknown_sort_field_is_422_naming_allowed_fields():
    with pytest.raises(Unprocessable) as raised:
        order_by_clauses("-password", SORTABLE, "id")
    assert raised.value.errors == {"sort": ["Unknown sort field 'password'. Allowed: id, name."]}


@pytest.mark.parametrize(
    "query, field",
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_page_query_bounds(query, field):
    errors = PageQuery().validate(query)
    assert field in errors


def test_page_query_defaults():
    assert PageQuery().load({}) == {"limit": 50, "offset": 0, "sort": None}


def test_a_prepared_statement_pages_with_its_parameters(probe_rows, count_statements):
    statement = prepared(select(probe.c.name).where(probe.c.name != bindparam("left_out")))
    query = {"limit": 2, "offset": 0, "sort": "name"}

    def run(**changes):
        return paginate(
            statement,
            {**query, **changes},
            sortable=SORTABLE,
            default_sort="id",
            tiebreaker=probe.c.id,
            parameters={"left_out": "alpha"},
        )

    assert run() == {"items": ["bravo", "charlie"], "total": 4, "limit": 2, "offset": 0}
    assert run(sort="-name")["items"] == ["echo", "delta"]
    assert run(offset=3)["items"] == ["echo"]
    # Past the end: the count runs with the same parameters.
    assert run(offset=10) == {"items": [], "total": 4, "limit": 2, "offset": 10}
