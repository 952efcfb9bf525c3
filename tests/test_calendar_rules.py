"""The calendar's pure rules (akuntabilitas.scoring), at their edges, without the database."""

from datetime import date
from decimal import Decimal as D

from akuntabilitas.scoring import (
    RiskSpec,
    StageSpec,
    completeness_percent,
    current_stage,
    days_left,
    due_threshold,
    is_at_risk,
)

FILL = StageSpec(
    "kla", "isi", "Pengisian", 1, date(2026, 2, 2), date(2026, 4, 30), date(2026, 4, 16)
)
VERIFY = StageSpec("kla", "va", "Verifikasi", 2, date(2026, 5, 4), date(2026, 5, 29))
RULES = [RiskSpec(D("50"), 30), RiskSpec(D("80"), 14)]


def test_days_left_is_zero_on_the_day_and_negative_after():
    assert days_left(date(2026, 4, 16), date(2026, 4, 9)) == 7
    assert days_left(date(2026, 4, 16), date(2026, 4, 16)) == 0
    assert days_left(date(2026, 4, 16), date(2026, 4, 17)) == -1


def test_current_stage_is_the_running_one_else_the_next_else_none():
    assert current_stage([VERIFY, FILL], date(2026, 2, 2)) == FILL
    assert current_stage([VERIFY, FILL], date(2026, 4, 30)) == FILL  # national end still runs
    assert current_stage([VERIFY, FILL], date(2026, 5, 1)) == VERIFY  # between: the next
    assert current_stage([VERIFY, FILL], date(2026, 1, 1)) == FILL
    assert current_stage([VERIFY, FILL], date(2026, 5, 30)) is None
    assert current_stage([], date(2026, 5, 30)) is None


def test_overlapping_stages_prefer_the_one_whose_deadline_is_still_ahead():
    late = StageSpec("ape", "a", "A", 1, date(2026, 3, 1), date(2026, 6, 30), date(2026, 3, 10))
    other = StageSpec("ape", "b", "B", 2, date(2026, 3, 5), date(2026, 5, 31), date(2026, 5, 15))
    assert current_stage([late, other], date(2026, 3, 8)) == late
    assert current_stage([late, other], date(2026, 3, 20)) == other


def test_the_deadline_is_the_provincial_one_when_set():
    assert FILL.deadline == date(2026, 4, 16)
    assert VERIFY.deadline == date(2026, 5, 29)


def test_risk_at_the_completeness_threshold_edge():
    assert is_at_risk(D("79.9"), 13, RULES)
    assert not is_at_risk(D("80"), 13, RULES)  # reaching the threshold is enough


def test_risk_at_the_days_left_edge():
    assert not is_at_risk(D("60"), 14, RULES)  # exactly N days left is not "fewer than N"
    assert is_at_risk(D("60"), 13, RULES)
    assert not is_at_risk(D("49.9"), 30, RULES)
    assert is_at_risk(D("49.9"), 29, RULES)


def test_a_passed_deadline_counts_as_fewer_days_and_complete_is_never_at_risk():
    assert is_at_risk(D("10"), -3, RULES)
    assert not is_at_risk(D("100"), -3, RULES)


def test_a_programme_rule_applies_only_to_its_programme():
    rules = [RiskSpec(D("90"), 20, "ape")]
    assert is_at_risk(D("85"), 10, rules, "ape")
    assert not is_at_risk(D("85"), 10, rules, "kla")


def test_completeness_percent_rounds_to_one_decimal_and_handles_nothing():
    assert completeness_percent(1, 3) == D("33.3")
    assert completeness_percent(2, 3) == D("66.7")
    assert completeness_percent(0, 0) == D("0")


def test_due_threshold_catches_up_a_missed_run_and_stops_after_the_deadline():
    thresholds = [7, 1]
    assert [due_threshold(left, thresholds) for left in (8, 7, 5, 2, 1, 0, -1)] == [
        None,
        7,
        7,
        7,
        1,
        1,
        None,
    ]
    assert due_threshold(3, []) is None
