"""The demo's 2019 sinergitas round, as the DP3ACSKB release tells it; safe to run again."""

import datetime

import pytest

from sinergitas import demo
from sinergitas.models import FollowUp, Meeting, Participation

pytestmark = pytest.mark.django_db

EXPECTED = {
    "19.71": (datetime.date(2019, 10, 11), "Hotel Rentz"),
    "19.01": (datetime.date(2019, 10, 14), "Hotel Novilla"),
    "19.02": (datetime.date(2019, 10, 16), "Graha Resto"),
    "19.06": (datetime.date(2019, 10, 17), "Kantor Camat Manggar"),
}


def snapshot():
    return (
        Meeting.objects.count(),
        Participation.objects.count(),
        FollowUp.objects.count(),
        sorted(Meeting.objects.values_list("regions__code", "date", "venue", "title")),
    )


def test_the_demo_holds_the_four_2019_meetings_and_is_idempotent():
    assert "4" in demo.seed()
    first = snapshot()
    demo.seed()
    assert snapshot() == first
    assert first[0] == 4
    meetings = {m.regions.get().code: m for m in Meeting.objects.prefetch_related("regions")}
    assert set(meetings) == set(EXPECTED)
    for code, (date, venue) in EXPECTED.items():
        assert meetings[code].date == date
        assert venue in meetings[code].venue
        assert meetings[code].organiser.startswith("DP3ACSKB")
        assert meetings[code].programme_labels == ["APE/PUG", "KLA", "Kampung KB"]
        assert [i.code for i in meetings[code].issues.all()] == ["kekerasan_perempuan_anak"]
        kinds = {p.kind.code: p.count for p in meetings[code].participations.all()}
        assert kinds == dict.fromkeys(
            ["opd", "camat", "kepala_desa", "lurah", "perbankan", "industri_rumahan"]
        )
    assert meetings["19.71"].date.weekday() == 4  # Friday
    assert meetings["19.01"].date.weekday() == 0  # a Monday, though the release says Tuesday
    assert "Selasa" in meetings["19.01"].notes and "Senin" in meetings["19.01"].notes
    assert Meeting.objects.filter(regions__code__in=["19.03", "19.04", "19.05"]).count() == 0


def test_the_demo_follow_ups_show_one_done_and_one_overdue():
    demo.seed()
    followups = list(FollowUp.objects.all())
    assert sorted(f.status for f in followups) == ["done", "open"]
    assert [f.region.code for f in followups if f.overdue] == ["19.02"]
    assert [f.region.code for f in followups if f.status == "done"] == ["19.01"]


def test_seed_demo_runs_the_sinergitas_step():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", "--password", "Demo-sandi-2026", stdout=out)
    assert "Sinergitas" in out.getvalue()
    assert Meeting.objects.count() == 4
