"""``meetings_for_region``: the region page's meeting block, in three queries."""

import datetime

import pytest

from regions.scoping import scope_for
from sinergitas.queries import meetings_for_region
from tests.test_sinergitas_factories import make_followup, make_meeting, region

pytestmark = pytest.mark.django_db


def build(count: int) -> None:
    for number in range(count):
        meeting = make_meeting(
            "19.01", "19.02", title=f"Rapat {number}", date=datetime.date(2025, 1, 1 + number)
        )
        make_followup(meeting, datetime.date(2020, 1, 1), what=f"Terbuka {number}")
        make_followup(meeting, datetime.date(2020, 1, 1), status="done", what="Selesai")
        make_followup(meeting, datetime.date(2030, 1, 1), region_code="19.02", what="Belitung")


@pytest.mark.parametrize("count", [1, 3])
def test_meetings_for_region_reads_in_three_queries(
    koordinator_bangka, django_assert_num_queries, count
):
    build(count)
    make_meeting("19.02", title="Hanya Belitung")
    scope, bangka = scope_for(koordinator_bangka), region("19.01")
    with django_assert_num_queries(3):
        meetings = list(meetings_for_region(bangka, scope))
        shown = [
            (m.title, [r.code for r in m.regions.all()], [f.what for f in m.open_followups])
            for m in meetings
        ]
    expected = [
        (f"Rapat {n}", ["19.01", "19.02"], [f"Terbuka {n}"]) for n in reversed(range(count))
    ]
    assert shown == expected


def test_open_follow_ups_are_the_regions_own_and_flag_overdue(admin_user):
    build(1)
    meetings = list(meetings_for_region(region("19.02"), scope_for(admin_user)))
    assert [f.what for f in meetings[0].open_followups] == ["Belitung"]
    assert not meetings[0].open_followups[0].overdue
    bangka = list(meetings_for_region(region("19.01"), scope_for(admin_user)))
    assert bangka[0].open_followups[0].overdue


def test_a_region_out_of_scope_gives_no_meetings(koordinator_belitung, unassigned_user):
    make_meeting("19.01", title="Rapat Bangka")
    assert list(meetings_for_region(region("19.01"), scope_for(koordinator_belitung))) == []
    assert list(meetings_for_region(region("19.01"), scope_for(unassigned_user))) == []


def test_the_region_block_template_renders_the_meetings(client, koordinator_bangka):
    from django.template.loader import render_to_string

    build(1)
    html = render_to_string(
        "sinergitas/_region_meetings.html",
        {"meetings": meetings_for_region(region("19.01"), scope_for(koordinator_bangka))},
    )
    assert "Rapat 0" in html and "Terbuka 0" in html and "Belitung" not in html
