"""``manage.py seed_demo [--password P]``: idempotent demo data and one demo user per role."""

from importlib import import_module

from django.core.management.base import BaseCommand

from dashboard import store
from penilaian.models import Assessment
from regions import demo as regions_demo

# Apps whose demo.py has a ``seed() -> str`` (idempotent), in dependency order.
DEMO_MODULES: tuple[str, ...] = (
    "penilaian.demo",
    "kampung_kb.demo",
    "sinergitas.demo",
    "akuntabilitas.demo",
)


class Command(BaseCommand):
    help = "Isi data demo (idempoten) dan satu pengguna demo per peran."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Set this password for every demo user (otherwise existing users keep theirs).",
        )

    def handle(self, *args, password=None, **options):
        users = regions_demo.seed_users(password)
        for step in self.demo_steps():
            message = step()
            if message:
                self.stdout.write(message)
        stored = store.refresh(Assessment.objects.values_list("pk", flat=True))
        self.stdout.write(f"Readiness stored for {stored} assessment(s).")
        self.stdout.write(self.style.SUCCESS("Data demo siap. Login demo:"))
        for demo_user, pw in users:
            shown = pw if pw else "(tidak berubah)"
            self.stdout.write(
                f"  {demo_user.username:<22} {demo_user.role:<12} {demo_user.scope_label:<22} "
                f"kata sandi: {shown}"
            )

    def demo_steps(self):
        """Each app's ``demo.seed()`` in dependency order; each returns a one-line summary."""
        return [import_module(name).seed for name in DEMO_MODULES]
