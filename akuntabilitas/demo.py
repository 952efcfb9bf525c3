"""Demo data: an EXAMPLE 2026 evaluation calendar (``seed_demo``; never a migration).

The dates follow the 2022–2025 pattern (shared/reference/calendar-satudata.md, "Demo calendar
2026"); no official 2026 schedule is published. Every stage is marked ``example`` ("contoh"),
so the admin knows to replace it. The provincial deadline is 14 days before the national one.
"""

from __future__ import annotations

from datetime import date, timedelta

from akuntabilitas.models import Stage

NOTE = "Contoh ilustratif dari pola 2022–2025, bukan jadwal resmi; ganti dengan jadwal resmi."
LEAD = timedelta(days=14)

# (programme, code, name, start, national end)
STAGES_2026 = (
    ("kla", "pengisian_mandiri", "Pengisian mandiri", date(2026, 2, 2), date(2026, 4, 30)),
    (
        "kla",
        "verifikasi_administrasi",
        "Verifikasi administrasi",
        date(2026, 5, 4),
        date(2026, 5, 29),
    ),
    ("kla", "verifikasi_lapangan", "Verifikasi lapangan", date(2026, 6, 1), date(2026, 6, 30)),
    ("kla", "penganugerahan", "Penganugerahan", date(2026, 7, 23), date(2026, 7, 23)),
    ("ape", "pengisian_lke", "Pengisian LKE", date(2026, 3, 2), date(2026, 5, 29)),
    ("ape", "verifikasi", "Verifikasi", date(2026, 6, 1), date(2026, 10, 30)),
    ("ape", "penganugerahan", "Penganugerahan", date(2026, 12, 18), date(2026, 12, 18)),
    (
        "kampung_kb",
        "pemutakhiran_data",
        "Pemutakhiran data",
        date(2026, 1, 5),
        date(2026, 12, 10),
    ),
)
# An award night has no provincial deadline of its own.
NO_INTERNAL = {"penganugerahan"}


def seed() -> str:
    created = 0
    for order, (program, code, name, starts, ends) in enumerate(STAGES_2026, start=1):
        internal = None if code in NO_INTERNAL else max(starts, ends - LEAD)
        _stage, made = Stage.objects.get_or_create(
            program=program,
            year=2026,
            code=code,
            defaults={
                "name": name,
                "order": order,
                "starts_on": starts,
                "ends_on": ends,
                "internal_deadline": internal,
                "example": True,
                "note": NOTE,
            },
        )
        created += made
    return f"Kalender evaluasi 2026 (contoh): {created} tahap baru."
