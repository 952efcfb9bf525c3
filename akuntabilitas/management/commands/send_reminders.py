"""``manage.py send_reminders [--dry-run] [--date YYYY-MM-DD]``: today's reminder digests."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from akuntabilitas.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Kirim ringkasan pengingat sebelum batas waktu provinsi (idempoten per butir dan ambang)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be sent; write nothing."
        )
        parser.add_argument("--date", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, dry_run=False, date=None, **options):
        today = None
        if date:
            try:
                today = _parse(date)
            except ValueError:
                raise CommandError(f"Tanggal tidak valid: {date!r} (format YYYY-MM-DD).") from None
        report = send_reminders(today=today, dry_run=dry_run)
        for digest in report.digests:
            prefix = "[uji] " if dry_run else ""
            email = digest.user.email or "-"
            self.stdout.write(f"{prefix}{digest.user.username} <{email}>: {digest.count} butir")
            if dry_run:
                self.stdout.write(digest.body())
                self.stdout.write("")
        verb = "akan dikirim" if dry_run else "terkirim"
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.digests)} ringkasan {verb} ({report.items} butir, "
                f"{report.emailed} surel)."
            )
        )


def _parse(text: str) -> date:
    return date.fromisoformat(text.strip())
