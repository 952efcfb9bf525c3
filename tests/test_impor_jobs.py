"""Large imports as worker jobs (impor.jobs), run eagerly here: the upload answers with a job
page, the worker previews, the user confirms, the worker applies (reusing the checked rows when
nothing they touch changed), progress and states, failures and retries, and scope."""

import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from impor import jobs, validation
from impor.models import ImportJob, ImportRecord
from penilaian.models import Answer, Assessment, Edition, Program
from regions.models import Region, Role
from tests.conftest import make_user
from tests.impor_files import (  # noqa: F401 (fixtures)
    NILAI,
    bahasa,
    encrypted_workbook,
    hand_xlsx,
    impor_media,
    legacy_xls,
    ratio_bomb,
    snapshot,
    xlsm,
    xlsx,
)

pytestmark = pytest.mark.django_db

ROWS = [
    ["19.01", 2025, "APE-KOM-01", 3, "catatan"],
    ["19.01", 2025, "APE-KOM-03", "ya", ""],
    ["19.01", 2024, "KLA-KL-01", 15, ""],
]
State = ImportJob.State


@pytest.fixture(autouse=True)
def small_threshold(settings):
    """Every file of 2 rows or more is a job; progress is written on every change."""
    settings.IMPORT_JOB_ROWS = 2
    settings.IMPORT_JOB_PROGRESS_MS = 0
    settings.IMPORT_JOB_STALE_SECONDS = 60


def upload_file(rows=ROWS, name="nilai.xlsx") -> io.BytesIO:
    handle = io.BytesIO(xlsx([NILAI, *rows]))
    handle.name = name
    return handle


def upload(client, callbacks, rows=ROWS):
    with callbacks(execute=True):
        response = client.post(reverse("impor:upload", args=["nilai"]), {"file": upload_file(rows)})
    assert response.status_code == 302, response.content[:500]
    job = ImportJob.objects.get()
    assert response.url == reverse("impor:job", args=[job.pk])
    return job


def confirm(client, callbacks, job):
    with callbacks(execute=True):
        response = client.post(reverse("impor:job_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def test_a_large_file_is_previewed_by_a_job_then_applied_after_the_confirm(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    before = snapshot()

    job = upload(client, django_capture_on_commit_callbacks)

    assert (job.step, job.state, job.rows_total, job.rows_checked) == ("pratinjau", "selesai", 3, 3)
    assert job.summary["new"] == 3 and job.summary["can_apply"] and job.plan_token
    assert snapshot() == before  # the preview writes nothing
    page = client.get(reverse("impor:job", args=[job.pk])).content.decode()
    assert "Pratinjau" in page and reverse("impor:job_confirm", args=[job.pk]) in page
    assert 'http-equiv="refresh"' not in page  # finished: no more refreshing

    job = confirm(client, django_capture_on_commit_callbacks, job)

    assert (job.step, job.state, job.rows_written, job.phase) == ("impor", "selesai", 3, "")
    assert job.summary["reused"] is True  # nothing changed since the preview
    assert job.record == ImportRecord.objects.get()
    assert job.finished_at is not None
    assert Answer.objects.count() == 3
    page = client.get(reverse("impor:job", args=[job.pk])).content.decode()
    assert "Impor tersimpan: 3 baris baru" in page
    # a second confirm (a double click) changes nothing
    confirm(client, django_capture_on_commit_callbacks, job)
    assert Answer.objects.count() == 3 and ImportRecord.objects.count() == 1


def test_a_running_job_page_refreshes_itself_without_script(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("impor:upload", args=["nilai"]), {"file": upload_file()})
    job = ImportJob.objects.get()  # queued: the commit callback never ran
    assert response.url == reverse("impor:job", args=[job.pk]) and job.state == State.ANTRI

    page = client.get(response.url).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert "<progress" in page
    assert not re.findall(r"<script(?![^>]*\bsrc=)", page)  # no inline script (CSP)


def test_below_the_threshold_the_preview_stays_in_the_request(client, admin_user, settings):
    settings.IMPORT_JOB_ROWS = 5_000
    client.force_login(admin_user)

    response = client.post(reverse("impor:upload", args=["nilai"]), {"file": upload_file()})

    assert response.status_code == 200 and "Konfirmasi impor" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda: b"%PDF-1.4 " + b"x" * 100, "PDF"),
        (lambda: ratio_bomb(5), "pemadatannya mencurigakan"),
        (lambda: xlsm(xlsx([NILAI, *ROWS])), "bermakro"),
        (encrypted_workbook, "kata sandi"),
        (legacy_xls, ".xls"),
        (lambda: hand_xlsx(200_001), "200.000"),
    ],
    ids=["pdf", "zip-bomb", "macros", "password", "xls", "too-many-rows"],
)
def test_a_refused_file_never_becomes_a_job(client, admin_user, settings, make, says):
    client.force_login(admin_user)
    handle = io.BytesIO(make())
    handle.name = "nilai.xlsx"

    response = client.post(reverse("impor:upload", args=["nilai"]), {"file": handle})

    assert response.status_code == 200
    assert says in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not (settings.MEDIA_ROOT / "impor_tmp").exists() or not any(
        (settings.MEDIA_ROOT / "impor_tmp").iterdir()
    )


def test_a_file_refused_while_it_is_read_ends_its_job_with_the_reason(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    handle = io.BytesIO(hand_xlsx(10))  # only the kode_wilayah column
    handle.name = "nilai.xlsx"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("impor:upload", args=["nilai"]), {"file": handle})

    job = ImportJob.objects.get()
    assert job.state == State.SELESAI and "Kolom yang tidak ada" in job.summary["refused"]
    page = client.get(reverse("impor:job", args=[job.pk])).content.decode()
    assert "Kolom yang tidak ada" in page
    assert reverse("impor:job_confirm", args=[job.pk]) not in page
    assert not jobs.can_confirm(job)


def test_progress_goes_up_through_the_phases(
    client, admin_user, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.IMPORT_JOB_WRITE_CHUNK = 2
    monkeypatch.setattr(validation, "PROGRESS_EVERY", 2)
    seen = []
    flush = jobs.Progress.flush

    def spy(self):
        written = flush(self)
        seen.append(
            ImportJob.objects.values_list("step", "phase", "rows_checked", "rows_written").get()
        )
        return written

    monkeypatch.setattr(jobs.Progress, "flush", spy)
    client.force_login(admin_user)
    rows = [*ROWS, ["19.02", 2025, "APE-KOM-01", 3, ""], ["19.03", 2025, "APE-KOM-01", 3, ""]]

    job = upload(client, django_capture_on_commit_callbacks, rows)
    confirm(client, django_capture_on_commit_callbacks, job)

    preview = [(phase, checked) for step, phase, checked, _w in seen if step == "pratinjau"]
    assert preview[0] == ("periksa", 0)
    assert [checked for phase, checked in preview if phase == "periksa"] == [0, 2, 4, 5]
    written = [w for step, phase, _c, w in seen if step == "impor" and phase == "tulis"]
    assert written == [0, 2, 4, 5]
    assert ImportJob.objects.get().state == State.SELESAI


def test_the_apply_checks_again_when_an_assessment_changed_since_the_preview(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    job = upload(client, django_capture_on_commit_callbacks, ROWS[:2])
    ape = Edition.objects.get(program=Program.APE, year=2025)
    region = Region.objects.get(code="19.01")
    Assessment.objects.create(region=region, edition=ape)  # created since the preview

    job = confirm(client, django_capture_on_commit_callbacks, job)

    assert job.state == State.SELESAI and job.summary["reused"] is False
    assert Answer.objects.filter(assessment__edition=ape).count() == 2


def test_an_assessment_locked_since_the_preview_refuses_the_apply(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    ape = Edition.objects.get(program=Program.APE, year=2025)
    assessment = Assessment.objects.create(region=Region.objects.get(code="19.01"), edition=ape)
    job = upload(client, django_capture_on_commit_callbacks, ROWS[:2])
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Assessment.Status.SUBMITTED, version=F("version") + 1
    )
    before = snapshot()

    job = confirm(client, django_capture_on_commit_callbacks, job)

    assert job.state == State.SELESAI and job.record is None
    assert "Tidak ada yang diimpor" in job.error
    assert snapshot() == before


def test_a_dead_worker_fails_the_job_and_a_retry_imports_everything(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    job = upload(client, django_capture_on_commit_callbacks)
    client.post(reverse("impor:job_confirm", args=[job.pk]))  # queued, never run: the worker…
    long_ago = timezone.now() - timedelta(seconds=61)
    ImportJob.objects.filter(pk=job.pk).update(  # …took it and died
        state=State.BERJALAN, started_at=long_ago, heartbeat_at=long_ago, phase="tulis"
    )
    before = snapshot()

    response = client.get(reverse("impor:job", args=[job.pk]))
    page = response.content.decode()

    seen = response.context["job"]
    assert seen.state == State.GAGAL and "60 detik" in seen.error
    assert "Gagal" in page and reverse("impor:job_retry", args=[job.pk]) in page
    listed = client.get(reverse("impor:index")).context["jobs"]
    assert [(j.pk, j.state) for j in listed] == [(job.pk, State.GAGAL)]
    job.refresh_from_db()
    assert job.state == State.BERJALAN  # a GET writes nothing; the retry POST stores the failure
    assert snapshot() == before

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("impor:job_retry", args=[job.pk]))

    job.refresh_from_db()
    assert (job.state, job.attempt, job.error) == (State.SELESAI, 3, "")
    assert Answer.objects.count() == 3


def test_an_error_in_the_worker_fails_the_job_and_nothing_is_written(
    client, admin_user, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(admin_user)
    job = upload(client, django_capture_on_commit_callbacks)
    before = snapshot()
    from impor import engine

    write = engine.write

    def broken(result, plan, *args, **kwargs):
        write(result, plan, *args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "write", broken)

    job = confirm(client, django_capture_on_commit_callbacks, job)

    assert job.state == State.GAGAL and "RuntimeError" in job.error
    assert snapshot() == before and not ImportRecord.objects.exists()
    monkeypatch.setattr(engine, "write", write)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("impor:job_retry", args=[job.pk]))
    assert ImportJob.objects.get().state == State.SELESAI and Answer.objects.count() == 3


def test_a_worker_of_an_older_attempt_cannot_run_the_job(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    job = upload(client, django_capture_on_commit_callbacks)
    job = confirm(client, django_capture_on_commit_callbacks, job)

    assert jobs.run(job.pk, job.attempt - 1) == "skipped"
    assert jobs.run(job.pk, job.attempt) == "skipped"  # done: not queued any more


def test_a_koordinator_sees_only_their_regions_jobs(
    client, koordinator_bangka, koordinator_belitung, django_capture_on_commit_callbacks
):
    client.force_login(koordinator_bangka)
    job = upload(client, django_capture_on_commit_callbacks)
    assert job.region == Region.objects.get(code="19.01")
    link = reverse("impor:job", args=[job.pk])
    assert link in client.get(reverse("impor:index")).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(state=State.GAGAL, error="x")
    before = (snapshot(), list(ImportJob.objects.values()))

    client.force_login(koordinator_belitung)
    assert client.get(reverse("impor:job", args=[job.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("impor:job_retry", args=[job.pk])).status_code == 404
        assert client.post(reverse("impor:job_confirm", args=[job.pk])).status_code == 404
    assert link not in client.get(reverse("impor:index")).content.decode()
    assert client.get(reverse("impor:jobs")).status_code == 404

    assert (snapshot(), list(ImportJob.objects.values())) == before


def test_roles_that_do_not_import_see_no_jobs(client, admin_user, verifikator):
    job = ImportJob.objects.create(
        resource="nilai", user=admin_user, file_name="a.xlsx", sha256="0", size=1, token="0" * 32
    )
    client.force_login(verifikator)

    assert client.get(reverse("impor:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("impor:jobs")).status_code == 404


def make_job(user, name, region=None, state=State.SELESAI):
    return ImportJob.objects.create(
        resource="nilai",
        user=user,
        region=region,
        file_name=name,
        sha256="0" * 64,
        size=1,
        token="0" * 32,
        state=state,
        rows_total=10,
        started_at=timezone.now() if state != State.ANTRI else None,
        error="rusak" if state == State.GAGAL else "",
    )


def test_the_admin_job_list_shows_kind_user_state_rows_time_and_error_in_constant_queries(
    client, admin_user, django_assert_num_queries
):
    client.force_login(admin_user)
    make_job(admin_user, "a.xlsx")
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("impor:jobs")).status_code == 200
    koordinator = make_user("koord.uji", Role.KOORDINATOR, "19.02")
    make_job(koordinator, "b.xlsx", Region.objects.get(code="19.02"), State.GAGAL)
    make_job(admin_user, "c.xlsx", state=State.ANTRI)
    with django_assert_num_queries(len(one)):
        page = client.get(reverse("impor:jobs")).content.decode()
    for text in ("a.xlsx", "b.xlsx", "c.xlsx", "koord.uji", "Gagal", "Antri", "rusak", "19.02"):
        assert text in page


def test_the_import_page_lists_jobs_in_constant_queries(
    client, admin_user, django_assert_num_queries
):
    client.force_login(admin_user)
    make_job(admin_user, "a.xlsx")
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("impor:index")).status_code == 200
    make_job(admin_user, "b.xlsx")
    make_job(admin_user, "c.xlsx")
    with django_assert_num_queries(len(one)):
        page = client.get(reverse("impor:index")).content.decode()
    assert "c.xlsx" in page and reverse("impor:jobs") in page


def test_the_scheduled_clean_up_stores_a_dead_workers_job_as_failed_and_leaves_live_ones(
    admin_user,
):
    from impor.tasks import fail_stale_import_jobs

    now = timezone.now()
    dead, live = (make_job(admin_user, name, None, State.BERJALAN) for name in ("a.xlsx", "b.xlsx"))
    ImportJob.objects.filter(pk=dead.pk).update(
        started_at=now - timedelta(seconds=120), heartbeat_at=now - timedelta(seconds=61)
    )
    ImportJob.objects.filter(pk=live.pk).update(started_at=now, heartbeat_at=now)

    assert fail_stale_import_jobs.delay().get() == 1

    dead.refresh_from_db()
    live.refresh_from_db()
    assert (dead.state, live.state) == (State.GAGAL, State.BERJALAN)
    assert "60 detik" in dead.error
