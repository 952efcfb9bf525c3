"""``manage.py recompute_readiness [--year Y] [--program P] [--stale]``: rebuild stored readiness
rows — every row, or with ``--stale`` only those missing or stale (what the container runs after
``migrate``: a deploy with a new result format or a data migration of a catalog leaves every
affected row stale, and no reader should pay for them)."""

from django.core.management.base import BaseCommand, CommandError

from dashboard import store
from penilaian.models import Program


class Command(BaseCommand):
    help = "Recompute and store the readiness of every assessment (of a year and/or programme)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, action="append", help="only this year (repeatable)")
        parser.add_argument(
            "--program", action="append", help=f"only this programme ({', '.join(Program.values)})"
        )
        parser.add_argument(
            "--stale", action="store_true", help="only rows missing or stale (fresh rows stay)"
        )

    def handle(self, *args, **options) -> None:
        programs = options["program"]
        unknown = sorted(set(programs or ()) - set(Program.values))
        if unknown:
            raise CommandError(
                f"Unknown programme {', '.join(unknown)}; use {', '.join(Program.values)}."
            )
        written = store.recompute_all(
            years=options["year"], programs=programs, stale_only=options["stale"]
        )
        self.stdout.write(f"{written} readiness rows recomputed and stored.")
