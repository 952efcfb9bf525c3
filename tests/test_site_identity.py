"""The product name people read, in titles, header and e-mail subjects; a favicon on every page."""

import pytest
from django.core import mail
from django.test import override_settings

from tests.conftest import make_user

# the database fixtures come from the mark, so they outlive conftest's autouse checks
pytestmark = pytest.mark.django_db


def test_pages_carry_the_product_name_and_a_favicon(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    body = client.get("/wilayah/19.01/").content.decode()
    assert "— Portal Kesiapan PUG-KLA Babel</title>" in body
    assert 'rel="icon" href="/static/favicon.svg"' in body
    assert ">babel_pug<" not in body and "babel_pug <small>" not in body


def test_the_favicon_is_served(client, db):
    from django.contrib.staticfiles import finders

    assert finders.find("favicon.svg")


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", EMAIL_HOST="localhost"
)
def test_the_reset_mail_subject_starts_with_the_product_name(client, db):
    user = make_user("surel.uji", None)
    user.email = "surel@example.org"
    user.save()
    client.post("/accounts/password_reset/", {"email": "surel@example.org"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[Portal Kesiapan PUG-KLA Babel] ")
