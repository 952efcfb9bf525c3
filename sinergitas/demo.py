"""Demo data: the October 2019 sinergitas round of DP3ACSKB (``seed_demo``; never a migration).

Source: the DP3ACSKB Babel release "DP3ACSKB Babel sinergitaskan program ke 7 kabupaten kota
se-Babel" (October 2019). It names four meetings; the other three kab/kota have none in 2019.
Participants are kinds only (the release gives no counts). The two follow-ups are demo examples,
not from the release, so that the overdue flag has something to show.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from regions.models import Opd, OpdKind, Region
from sinergitas.models import FollowUp, IssueTopic, Meeting, ParticipantKind, Participation

ORGANISER = "DP3ACSKB Provinsi Kepulauan Bangka Belitung"
SOURCE = (
    'Rilis DP3ACSKB Babel, Oktober 2019: "DP3ACSKB Babel Sinergitaskan Program ke 7 '
    'Kabupaten Kota se-Babel" (penulis: Lisya Ayu)'
)
PURPOSE = (
    "Mengajak segenap OPD dan institusi lain di kabupaten/kota berkomitmen kuat "
    "mengimplementasikan peraturan dan kebijakan: meraih Anugerah Parahita Ekapraya (APE) dengan "
    "memenuhi 7 prasyarat PUG; meraih, mempertahankan dan meningkatkan predikat Kabupaten/Kota "
    "Layak Anak (KLA) dengan memenuhi 5 klaster; serta mewujudkan desa dengan predikat Kampung KB "
    "Cikar melalui program lintas sektor."
)
ISSUES_OTHER = "Isu-isu lain yang terjadi di lapangan (tidak dirinci dalam rilis)."
PARTICIPANT_KINDS = ("opd", "camat", "kepala_desa", "lurah", "perbankan", "industri_rumahan")
ISSUES = ("kekerasan_perempuan_anak",)
DEMO_NOTE = "Contoh tindak lanjut untuk demo; tidak disebut dalam rilis 2019."

MEETINGS_2019 = (
    ("19.71", datetime.date(2019, 10, 11), "Hotel Rentz, Pangkalpinang", ""),
    (
        "19.01",
        datetime.date(2019, 10, 14),
        "Hotel Novilla, Sungailiat",
        "Rilis menyebut hari Selasa (14/10/2019), padahal 14 Oktober 2019 adalah hari Senin; "
        "tanggal dipertahankan sesuai rilis.",
    ),
    ("19.02", datetime.date(2019, 10, 16), "Graha Resto, Tanjungpandan", ""),
    ("19.06", datetime.date(2019, 10, 17), "Ruang pertemuan Kantor Camat Manggar", ""),
)


@transaction.atomic
def seed() -> str:
    """Create or update the four 2019 meetings and two demo follow-ups; safe to run again."""
    kinds = list(ParticipantKind.objects.filter(code__in=PARTICIPANT_KINDS))
    issues = list(IssueTopic.objects.filter(code__in=ISSUES))
    meetings: dict[str, Meeting] = {}
    for region_code, date, venue, note in MEETINGS_2019:
        region = Region.objects.get(code=region_code)
        meeting, _created = Meeting.objects.update_or_create(
            date=date,
            venue=venue,
            defaults={
                "title": f"Sinergitas program PUG/APE, KLA dan Kampung KB Cikar — {region.name}",
                "time": None,
                "organiser": ORGANISER,
                "purpose": PURPOSE,
                "serves_ape": True,
                "serves_kla": True,
                "serves_kampung_kb": True,
                "issues_other": ISSUES_OTHER,
                "notes": note,
                "source": SOURCE,
            },
        )
        meeting.regions.set([region])
        meeting.issues.set(issues)
        meeting.participations.exclude(kind__in=kinds).delete()
        for kind in kinds:
            Participation.objects.get_or_create(meeting=meeting, kind=kind)
        meetings[region_code] = meeting

    FollowUp.objects.update_or_create(
        meeting=meetings["19.01"],
        what="Menyusun rencana aksi daerah pencegahan kekerasan terhadap perempuan dan anak",
        defaults={
            "region": meetings["19.01"].regions.get(),
            "owner_kind": None,
            "owner_opd": Opd.objects.get(region__code="19.01", kind__code="dp3akb"),
            "due_date": datetime.date(2019, 12, 31),
            "status": FollowUp.Status.DONE,
            "note": DEMO_NOTE,
        },
    )
    FollowUp.objects.update_or_create(
        meeting=meetings["19.02"],
        what="Membentuk PATBM di desa yang belum memilikinya",
        defaults={
            "region": meetings["19.02"].regions.get(),
            "owner_kind": OpdKind.objects.get(code="dpmd"),
            "owner_opd": None,
            "due_date": datetime.date(2020, 6, 30),
            "status": FollowUp.Status.OPEN,
            "note": DEMO_NOTE,
        },
    )
    return f"Sinergitas: {len(meetings)} pertemuan 2019 dan 2 tindak lanjut contoh."
