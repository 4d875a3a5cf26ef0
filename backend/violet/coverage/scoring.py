"""The coverage formula (docs/coverage.md), as pure functions over plain records.

1. Each test counts by its latest completed run: a retest replaces the run it retests once it
   is completed itself; pending, in-progress and cancelled runs count for nothing.
2. A run's score is its detection level's score (0–100). A run whose level has a null score
   ("Not applicable") or that has no level yet is counted in `tests` and `outcomes` but left out
   of every mean.
3. A technique's score is the mean score of the runs tagged with it or with one of its
   sub-techniques (a sub-technique rolls up to its technique; a run tagged with both counts
   once). A sub-technique's score is the mean of the runs tagged with it.
4. A tactic's score is the mean of the runs tagged with any technique or sub-technique of that
   tactic (each run once; a run tagged with the tactic itself counts too); the mission's score
   is the mean of all its counted runs.

Means are rounded to one decimal, halves up (`mean`). Per defense tool, the same formula runs
with each run's score taken from that tool's outcome (runs without an outcome for the tool are
left out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

COMPLETED = "completed"


def mean(total: float, count: int) -> float:
    """`total / count` rounded to one decimal, halves up, as a reader checking by hand or a
    spreadsheet's ROUND does (81.25 → 81.3). Python's `round` on floats rounds halves to even
    and misrounds those a float cannot hold exactly (1.45 → 1.4). Scores are whole numbers
    (docs/coverage.md), so the decimal division is exact at a tie."""
    exact = Decimal(str(total)) / Decimal(count)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Run:
    """One mission test run, as the formula needs it."""

    id: Any
    # The first run of its retest chain (itself when it is not a retest).
    chain_id: Any
    # Order of runs within a chain: a later retest has a higher sequence (e.g. created_at).
    sequence: Any
    state: str
    detection_level_id: Any | None
    # ATT&CK ids the run is tagged with: techniques (T1059) and sub-techniques (T1059.001).
    attack_ids: tuple[str, ...]
    # Tactics the run is tagged with directly (a tactic tag, not through a technique).
    tactic_tags: tuple[str, ...] = ()


@dataclass
class Cell:
    """The figures of one technique, tactic or the whole mission."""

    tests: int = 0
    scored_tests: int = 0
    score: float | None = None
    outcomes: dict[Any, int] = field(default_factory=dict)
    test_ids: list[Any] = field(default_factory=list)
    _total: float = 0.0

    def add(self, run: Run, level_score: float | None) -> None:
        self.tests += 1
        self.test_ids.append(run.id)
        level = run.detection_level_id
        if level is not None:
            self.outcomes[level] = self.outcomes.get(level, 0) + 1
        if level_score is not None:
            self.scored_tests += 1
            self._total += level_score
            self.score = mean(self._total, self.scored_tests)


@dataclass
class Coverage:
    mission: Cell
    techniques: dict[str, Cell]  # ATT&CK id (technique or sub-technique) → cell
    tactics: dict[str, Cell]  # tactic key (as given in `tactics_of`) → cell


def parent_of(attack_id: str) -> str:
    """T1059.001 → T1059; a technique is its own parent."""
    return attack_id.split(".", 1)[0]


def chain_start(run_id: Any, retest_of: Mapping[Any, Any]) -> tuple[Any, int]:
    """The first run of `run_id`'s retest chain and how many retests lead from it to `run_id`.

    `retest_of` maps every live run read to the run it retests (None: none). A chain stops at a
    run not in it: a retest of a deleted run starts a chain of its own. (Runs are removed
    latest first since, so only rows removed before that leave such a retest.)
    """
    first, depth = run_id, 0
    while retest_of[first] in retest_of:
        first, depth = retest_of[first], depth + 1
    return first, depth


def latest_completed_runs(runs: Iterable[Run]) -> list[Run]:
    """Per retest chain, the completed run with the highest sequence."""
    latest: dict[Any, Run] = {}
    for run in runs:
        if run.state != COMPLETED:
            continue
        current = latest.get(run.chain_id)
        if current is None or run.sequence > current.sequence:
            latest[run.chain_id] = run
    return list(latest.values())


def compute_coverage(
    runs: Iterable[Run],
    level_scores: Mapping[Any, float | None],
    tactics_of: Mapping[str, Sequence[str]],
) -> Coverage:
    """Scores per technique, sub-technique, tactic and for the whole set of runs.

    `level_scores`: detection level id → score (None: excluded from means).
    `tactics_of`: technique id (T1059) → the tactics it belongs to; a sub-technique takes its
    technique's tactics.
    """
    coverage = Coverage(mission=Cell(), techniques=defaultdict(Cell), tactics=defaultdict(Cell))
    for run in sorted(latest_completed_runs(runs), key=lambda run: str(run.id)):
        level_score = level_scores.get(run.detection_level_id)
        coverage.mission.add(run, level_score)
        cells: set[str] = set()
        tactics: set[str] = set(run.tactic_tags)
        for attack_id in run.attack_ids:
            cells.update({attack_id, parent_of(attack_id)})
            tactics.update(tactics_of.get(parent_of(attack_id), ()))
        for attack_id in sorted(cells):
            coverage.techniques[attack_id].add(run, level_score)
        for tactic in sorted(tactics):
            coverage.tactics[tactic].add(run, level_score)
    coverage.techniques = dict(coverage.techniques)
    coverage.tactics = dict(coverage.tactics)
    return coverage


IMPROVED, REGRESSED, UNCHANGED, NEW, DROPPED = (
    "improved",
    "regressed",
    "unchanged",
    "new",
    "dropped",
)


def compare_scores(
    before: float | None, after: float | None, *, in_before: bool, in_after: bool
) -> str:
    """How a technique moved between two missions (docs/coverage.md, "Compare").

    Tested in only one of them: `new` (only after) or `dropped` (only before). Tested in both:
    a score on one side only is `new` (first measured) or `dropped` (no longer measured);
    two scores compare; no score on either side is `unchanged`.
    """
    if not in_before:
        return NEW
    if not in_after:
        return DROPPED
    if before is None and after is None:
        return UNCHANGED
    if before is None:
        return NEW
    if after is None:
        return DROPPED
    if after > before:
        return IMPROVED
    if after < before:
        return REGRESSED
    return UNCHANGED
