"""The document date rule (penilaian.validity): pure, no database."""

from datetime import date

from penilaian.validity import Period, Problem, assessment_period, date_warnings

P2025 = Period(date(2025, 1, 1), date(2025, 12, 31))


def problems(issued, valid):
    return [w.problem for w in date_warnings(issued, valid, P2025)]


def test_no_dates_no_warning():
    assert problems(None, None) == []


def test_dated_on_the_last_day_of_the_period_is_fine_the_day_after_is_not():
    assert problems(date(2025, 12, 31), None) == []
    assert problems(date(2026, 1, 1), None) == [Problem.DATED_AFTER]


def test_valid_until_the_first_day_is_fine_expired_the_day_before_is_not():
    assert problems(None, date(2025, 1, 1)) == []
    assert problems(date(2020, 3, 1), date(2024, 12, 31)) == [Problem.EXPIRED_BEFORE]


def test_both_problems_at_once_are_both_reported():
    period = Period(date(2025, 6, 1), date(2025, 6, 30))
    found = date_warnings(date(2025, 7, 1), date(2025, 5, 31), period)
    assert [w.problem for w in found] == [Problem.DATED_AFTER, Problem.EXPIRED_BEFORE]
    assert found[0].document_date == date(2025, 7, 1)


def test_the_period_is_the_year_unless_the_edition_sets_it():
    assert assessment_period(2025) == P2025
    assert assessment_period(
        2025, {"periode_mulai": "2024-07-01", "periode_selesai": "2025-06-30"}
    ) == Period(date(2024, 7, 1), date(2025, 6, 30))


def test_a_broken_or_reversed_period_in_the_data_falls_back_to_the_year():
    assert assessment_period(2025, {"periode_mulai": "kemarin"}) == P2025
    assert (
        assessment_period(2025, {"periode_mulai": "2025-12-01", "periode_selesai": "2025-01-01"})
        == P2025
    )
