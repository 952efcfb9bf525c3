"""``manage.py api_token USERNAME [--rotate]``: print a user's API token (create it if needed)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.tokens import create_token, token_for


class Command(BaseCommand):
    help = "Cetak token API seorang pengguna (dibuat bila belum ada)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--rotate", action="store_true", help="Replace an existing token with a new one."
        )

    def handle(self, *args, username: str, rotate: bool = False, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"Pengguna {username!r} tidak ada.") from None
        token = None if rotate else token_for(user)
        if token is None:
            token = create_token(user)
        self.stdout.write(token.key)
