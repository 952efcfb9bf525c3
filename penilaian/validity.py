"""Is an evidence document's date plausible for the assessment period? (pure, no database)

A verifier is warned when a document is dated after the period it is meant to prove, or when it
stopped being valid before the period began (e.g. a Gugus Tugas KLA decree that expired years
ago). Both dates are optional metadata; a document without them gets no warning (and no
assurance). The period is the edition's ``periode_mulai``/``periode_selesai`` parameters when
set, otherwise its calendar year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Problem(StrEnum):
    DATED_AFTER = "dated_after"
    EXPIRED_BEFORE = "expired_before"


@dataclass(frozen=True)
class Period:
    start: date
    end: date


@dataclass(frozen=True)
class DateWarning:
    problem: Problem
    document_date: date
    period: Period


def assessment_period(year: int, params: Mapping[str, object] | None = None) -> Period:
    """The period an edition assesses: its ``periode_mulai``/``periode_selesai`` or the year."""
    params = params or {}
    start, end = date(year, 1, 1), date(year, 12, 31)
    try:
        if params.get("periode_mulai"):
            start = date.fromisoformat(str(params["periode_mulai"]))
        if params.get("periode_selesai"):
            end = date.fromisoformat(str(params["periode_selesai"]))
    except ValueError:
        return Period(date(year, 1, 1), date(year, 12, 31))
    return Period(start, end) if start <= end else Period(date(year, 1, 1), date(year, 12, 31))


def date_warnings(
    issued_on: date | None, valid_until: date | None, period: Period
) -> list[DateWarning]:
    """What is wrong with a document's dates for ``period`` (empty: nothing to warn about).

    The last day of the period and a validity ending on the first day are still fine.
    """
    warnings: list[DateWarning] = []
    if issued_on is not None and issued_on > period.end:
        warnings.append(DateWarning(Problem.DATED_AFTER, issued_on, period))
    if valid_until is not None and valid_until < period.start:
        warnings.append(DateWarning(Problem.EXPIRED_BEFORE, valid_until, period))
    return warnings
