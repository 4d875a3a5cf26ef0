"""The scoring formula against the worked example of docs/coverage.md, number for number."""

from __future__ import annotations

import pytest

from violet.coverage.scoring import Run, compute_coverage, latest_completed_runs, mean

PREVENTED, ALERTED, LOGGED, NOT_DETECTED, NOT_APPLICABLE = (
    "prevented",
    "alerted",
    "logged",
    "not-detected",
    "not-applicable",
)
LEVEL_SCORES = {PREVENTED: 100, ALERTED: 75, LOGGED: 40, NOT_DETECTED: 0, NOT_APPLICABLE: None}
TACTICS_OF = {
    "T1059": ["execution"],
    "T1078": ["initial-access", "persistence"],
    "T1566": ["initial-access"],
}


def run(
    run_id: str,
    tags: tuple[str, ...],
    state: str = "completed",
    level: str | None = None,
    *,
    retest_of: str | None = None,
    sequence: int = 0,
) -> Run:
    return Run(
        id=run_id,
        chain_id=retest_of or run_id,
        sequence=sequence,
        state=state,
        detection_level_id=level,
        attack_ids=tags,
    )


WORKED_EXAMPLE = [
    run("A", ("T1059.001",), level=ALERTED),
    run("B", ("T1059.001",), level=NOT_DETECTED),
    run("B2", ("T1059.001",), level=PREVENTED, retest_of="B", sequence=1),
    run("C", ("T1059.003",), level=NOT_APPLICABLE),
    run("D", ("T1059", "T1059.001"), level=ALERTED),
    run("E", ("T1078",), level=LOGGED),
    run("E2", ("T1078",), state="pending", retest_of="E", sequence=1),
    run("F", ("T1566",), state="in_progress"),
    run("G", ("T1566.001",)),
]


@pytest.fixture
def coverage():
    return compute_coverage(WORKED_EXAMPLE, LEVEL_SCORES, TACTICS_OF)


def test_the_mission_score_of_the_worked_example(coverage):
    assert coverage.mission.score == 72.5
    assert coverage.mission.tests == 6 and coverage.mission.scored_tests == 4
    assert sorted(coverage.mission.test_ids) == ["A", "B2", "C", "D", "E", "G"]
    assert coverage.mission.outcomes == {
        ALERTED: 2,
        PREVENTED: 1,
        NOT_APPLICABLE: 1,
        LOGGED: 1,
    }


@pytest.mark.parametrize(
    ("attack_id", "tests", "score"),
    [
        ("T1059.001", ["A", "B2", "D"], 83.3),
        ("T1059.003", ["C"], None),
        ("T1059", ["A", "B2", "C", "D"], 83.3),
        ("T1078", ["E"], 40.0),
        ("T1566.001", ["G"], None),
        ("T1566", ["G"], None),
    ],
)
def test_technique_scores_of_the_worked_example(coverage, attack_id, tests, score):
    cell = coverage.techniques[attack_id]
    assert sorted(cell.test_ids) == tests
    assert cell.score == score


@pytest.mark.parametrize(
    ("tactic", "tests", "score"),
    [
        ("execution", ["A", "B2", "C", "D"], 83.3),
        ("initial-access", ["E", "G"], 40.0),
        ("persistence", ["E"], 40.0),
    ],
)
def test_tactic_scores_of_the_worked_example(coverage, tactic, tests, score):
    cell = coverage.tactics[tactic]
    assert sorted(cell.test_ids) == tests
    assert cell.score == score


def test_only_tagged_cells_appear(coverage):
    assert set(coverage.techniques) == {
        "T1059",
        "T1059.001",
        "T1059.003",
        "T1078",
        "T1566",
        "T1566.001",
    }
    assert set(coverage.tactics) == {"execution", "initial-access", "persistence"}


def test_a_completed_retest_replaces_the_earlier_run_and_a_pending_one_does_not():
    runs = [
        run("first", ("T1059",), level=NOT_DETECTED),
        run("second", ("T1059",), level=LOGGED, retest_of="first", sequence=1),
        run("third", ("T1059",), state="pending", retest_of="first", sequence=2),
    ]
    assert [r.id for r in latest_completed_runs(runs)] == ["second"]
    assert compute_coverage(runs, LEVEL_SCORES, TACTICS_OF).mission.score == 40.0


def test_cancelled_runs_and_an_empty_mission_have_no_score():
    cancelled = [run("X", ("T1059",), state="cancelled", level=PREVENTED)]
    for runs in ([], cancelled):
        coverage = compute_coverage(runs, LEVEL_SCORES, TACTICS_OF)
        assert coverage.mission.tests == 0 and coverage.mission.score is None
        assert coverage.techniques == {} and coverage.tactics == {}


def test_only_null_scored_outcomes_leave_the_score_null_but_count_the_tests():
    runs = [run("N", ("T1078",), level=NOT_APPLICABLE)]
    coverage = compute_coverage(runs, LEVEL_SCORES, TACTICS_OF)
    assert coverage.mission.tests == 1 and coverage.mission.score is None
    assert coverage.tactics["persistence"].outcomes == {NOT_APPLICABLE: 1}


@pytest.mark.parametrize(
    ("total", "count", "score"),
    [
        (325, 4, 81.3),  # 81.25: a tie rounds up, not to the even 81.2
        (235, 4, 58.8),
        (233, 4, 58.3),  # 58.25
        (29, 20, 1.5),  # 1.45, which a float holds as 1.4499…
        (1403, 20, 70.2),  # 70.15
        (250, 3, 83.3),
        (0, 2, 0.0),
    ],
)
def test_means_round_to_one_decimal_halves_up(total, count, score):
    """docs/coverage.md rule 5, as a reader checking by hand (or a spreadsheet's ROUND) gets."""
    assert mean(total, count) == score


def test_a_tactic_whose_mean_ends_in_five_hundredths_rounds_up():
    runs = [
        run("A", ("T1059",), level=ALERTED),
        run("B", ("T1059",), level=PREVENTED),
        run("C", ("T1059",), level=ALERTED),
        run("D", ("T1059",), level=ALERTED),
    ]
    coverage = compute_coverage(runs, LEVEL_SCORES, TACTICS_OF)
    assert coverage.tactics["execution"].score == 81.3  # 325 / 4 = 81.25
    assert coverage.mission.score == 81.3
