"""The history on the assessment page: values, notes, evidence links, status and owner changes,
each with who, when, before, after and the reason."""

import pytest
from django.utils.translation import gettext

from penilaian import workflow
from penilaian.models import Edition
from penilaian.services import get_or_create_assessment, save_values
from regions.models import Region
from regions.scoping import scope_for
from tests.conftest import start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def started(db):
    """The assessments these tests fill, started as the koordinator would (a GET starts none)."""
    start("kla", "19.01", 2025)


URL = "/penilaian/kla/19.01/2025/"


def history_rows(client):
    return [
        (h.who, h.kind, h.subject, h.before, h.after, h.reason)
        for h in client.get(URL).context["history"]
    ]


def test_value_changes_show_who_before_after_and_reason(
    client, koordinator_bangka, operator_dinkes_bangka
):
    assessment = get_or_create_assessment(
        Edition.objects.get(program="kla", year=2025), Region.objects.get(code="19.01")
    )
    scope = scope_for(operator_dinkes_bangka)
    save_values(assessment, {"KLA-3-02": "40"}, user=operator_dinkes_bangka, scope=scope)
    save_values(
        assessment,
        {"KLA-3-02": "65"},
        {"KLA-3-02": "Data Susenas 2024"},
        user=operator_dinkes_bangka,
        scope=scope,
        reason="Data terbaru",
    )
    client.force_login(koordinator_bangka)

    rows = history_rows(client)

    who = operator_dinkes_bangka.username
    value, note = gettext("Value"), gettext("Note")
    assert (who, value, "KLA-3-02", "40 %", "65 %", "Data terbaru") in rows
    assert (who, value, "KLA-3-02", "—", "40 %", gettext("Values changed")) in rows
    assert (who, note, "KLA-3-02", "—", "Data Susenas 2024", "Data terbaru") in rows
    assert rows.index((who, value, "KLA-3-02", "40 %", "65 %", "Data terbaru")) < rows.index(
        (who, value, "KLA-3-02", "—", "40 %", gettext("Values changed"))
    )  # newest first


def test_status_changes_carry_the_workflow_reason(client, koordinator_bangka, verifikator):
    client.force_login(koordinator_bangka)
    client.get(URL)
    client.post(URL + "ajukan/", {"confirm_reason": "Uji: belum lengkap"})
    client.force_login(verifikator)
    client.post(URL + "kembalikan/", {"note": "Bukti dukung kurang lengkap untuk klaster III."})

    rows = history_rows(client)

    statuses = [r for r in rows if r[5] == "Bukti dukung kurang lengkap untuk klaster III."]
    assert len(statuses) == 1
    assert statuses[0][0] == verifikator.username
    assert statuses[0][3:5] == (
        str(workflow.Status.SUBMITTED.label),
        str(workflow.Status.RETURNED.label),
    )
