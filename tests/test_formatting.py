"""One formatting path for people (penilaian.formatting), tested without the database, and the
pages that use it (issue #15)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from penilaian import formatting

# the database fixtures come from the mark, so they outlive conftest's autouse checks
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "indonesian", "english"),
    [
        (Decimal("1234.5"), "1.234,5", "1,234.5"),
        (Decimal("84.50"), "84,5", "84.5"),
        (Decimal("609.925"), "609,93", "609.93"),
        (40, "40", "40"),
        (Decimal("-0.001"), "0", "0"),
        (1000000, "1.000.000", "1,000,000"),
        (None, "—", "—"),
    ],
)
def test_numbers(value, indonesian, english):
    assert formatting.number(value, "id") == indonesian
    assert formatting.number(value, "en") == english


def test_percentages_always_have_two_decimals_and_a_space():
    assert formatting.percent(Decimal("71.57"), "id") == "71,57\u00a0%"
    assert formatting.percent(Decimal("92.5"), "id") == "92,50\u00a0%"
    assert formatting.percent(90, "en") == "90.00\u00a0%"


def test_a_year_is_never_grouped():
    assert formatting.year(2026) == "2026"
    assert formatting.year("2025") == "2025"


def test_dates_and_times_in_local_time():
    moment = dt.datetime(2026, 12, 7, 7, 5, tzinfo=dt.UTC)  # 14.05 in Jakarta
    assert formatting.date(dt.date(2026, 12, 7), "id") == "7 Des 2026"
    assert formatting.date(dt.date(2019, 10, 17), "en") == "17 Oct 2019"
    assert formatting.time(moment, "id") == "14.05 WIB"
    assert formatting.time(dt.time(9, 30), "en") == "09:30 WIB"
    assert formatting.datetime(moment, "id") == "7 Des 2026, 14.05 WIB"
    late = dt.datetime(2026, 12, 7, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert formatting.date(late, "id") == "8 Des 2026"  # already the next day in WIB


def test_programme_page_titles_do_not_group_the_year(client, pimpinan):
    client.force_login(pimpinan)
    for url, title in [("/ape/?tahun=2025", "APE 2025"), ("/kla/?tahun=2025", "KLA 2025")]:
        body = client.get(url).content.decode()
        assert f"<title>{title} —" in body
        assert "2.025" not in body


def test_the_dashboard_shows_no_grouped_year(client, pimpinan):
    client.force_login(pimpinan)
    body = client.get("/?tahun=2025").content.decode()
    assert "2.025" not in body and "2.024" not in body
