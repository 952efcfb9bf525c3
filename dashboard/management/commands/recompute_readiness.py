"""``manage.py recompute_readiness [--year Y] [--program P]``: rebuild stored readiness rows."""

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

    def handle(self, *args, **options) -> None:
        programs = options["program"]
        unknown = sorted(set(programs or ()) - set(Program.values))
        if unknown:
            raise CommandError(
                f"Unknown programme {', '.join(unknown)}; use {', '.join(Program.values)}."
            )
        written = store.recompute_all(years=options["year"], programs=programs)
        self.stdout.write(f"{written} readiness rows recomputed and stored.")
