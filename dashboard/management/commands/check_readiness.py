"""``manage.py check_readiness``: recompute every assessment in memory and compare with the
stored rows; exits non-zero on any difference."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from dashboard import store


class Command(BaseCommand):
    help = (
        "Recompute the readiness of every assessment in memory and compare it with the stored "
        "rows. Exits non-zero on any difference."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--fresh-only",
            action="store_true",
            help="only report rows whose versions match yet differ (not missing or stale rows, "
            "which the next read recomputes)",
        )

    def handle(self, *args, **options) -> None:
        found = store.differences(fresh_only=options["fresh_only"])
        if not found:
            self.stdout.write("Every stored readiness row matches a fresh computation.")
            return
        for item in found[:50]:
            self.stderr.write(
                f"{item.kind}: assessment {item.assessment_id} "
                f"({item.program}, region id {item.region_id}, {item.year})"
            )
        counts = ", ".join(
            f"{count} {kind}"
            for kind, count in sorted(Counter(item.kind for item in found).items())
        )
        raise CommandError(f"Stored readiness differs from a fresh computation: {counts}.")
