"""``seed_demo`` makes the demo users of contract §2 and is safe to run again."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from regions.models import Assignment
from regions.scoping import scope_for

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_demo_users_one_per_role_with_the_contract_scopes():
    run("--password", "Demo-sandi-2026")
    User = get_user_model()
    expected = {
        "admin": ("admin", None, None),
        "verifikator": ("verifikator", None, None),
        "pimpinan": ("pimpinan", None, None),
        "koordinator.bangka": ("koordinator", "19.01", None),
        "koordinator.belitung": ("koordinator", "19.02", None),
        "opd.dinkes.bangka": ("operator", "19.01", "dinkes"),
    }
    for username, (role, region, opd_kind) in expected.items():
        a = Assignment.objects.select_related("region", "opd__kind").get(user__username=username)
        assert a.role == role
        assert (a.region.code if a.region else None) == region
        assert (a.opd.kind.code if a.opd else None) == opd_kind
        assert User.objects.get(username=username).check_password("Demo-sandi-2026")
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="verifikator").is_staff
    bangka_scope = scope_for(User.objects.get(username="opd.dinkes.bangka"))
    assert bangka_scope.can_edit_indicator(bangka_scope.region_id, "dinkes")


def test_second_run_duplicates_nothing_and_prints_the_same_logins():
    first = run("--password", "Demo-sandi-2026")
    counts = (get_user_model().objects.count(), Assignment.objects.count())
    second = run("--password", "Demo-sandi-2026")
    assert (get_user_model().objects.count(), Assignment.objects.count()) == counts
    assert first.splitlines()[-6:] == second.splitlines()[-6:]
    assert "koordinator.bangka" in second and "Demo-sandi-2026" in second


def test_without_password_existing_users_keep_theirs_and_new_ones_get_a_printed_one():
    out = run()
    User = get_user_model()
    line = next(x for x in out.splitlines() if x.strip().startswith("pimpinan"))
    printed = line.split()[-1]
    assert User.objects.get(username="pimpinan").check_password(printed)
    out2 = run()
    assert User.objects.get(username="pimpinan").check_password(printed)
    assert printed not in out2
