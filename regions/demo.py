"""Demo users, one per role (contract §2). Used by ``manage.py seed_demo``; never by a migration."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from regions.models import Assignment, Opd, Region, Role


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    region_code: str | None = None
    opd_kind: str | None = None

    @property
    def scope_label(self) -> str:
        if self.opd_kind:
            return f"{self.region_code}, OPD {self.opd_kind}"
        return self.region_code or "semua wilayah"


DEMO_USERS = (
    DemoUser("admin", Role.ADMIN),
    DemoUser("verifikator", Role.VERIFIKATOR),
    DemoUser("pimpinan", Role.PIMPINAN),
    DemoUser("koordinator.bangka", Role.KOORDINATOR, "19.01"),
    DemoUser("koordinator.belitung", Role.KOORDINATOR, "19.02"),
    DemoUser("opd.dinkes.bangka", Role.OPERATOR, "19.01", "dinkes"),
)


@transaction.atomic
def seed_users(password: str | None = None) -> list[tuple[DemoUser, str | None]]:
    """Create or update the demo users; returns each with the password set now (or None)."""
    User = get_user_model()
    result = []
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(username=demo.username)
        new_password = password or (secrets.token_urlsafe(12) if created else None)
        user.is_superuser = user.is_staff = demo.role == Role.ADMIN
        user.is_active = True
        if not user.first_name:
            user.first_name = demo.username.split(".")[0].capitalize()
        if new_password:
            user.set_password(new_password)
        user.save()
        region = Region.objects.get(code=demo.region_code) if demo.region_code else None
        opd = Opd.objects.get(region=region, kind__code=demo.opd_kind) if demo.opd_kind else None
        Assignment.objects.update_or_create(
            user=user, defaults={"role": demo.role, "region": region, "opd": opd}
        )
        result.append((demo, new_password))
    return result
