"""Background jobs: the Celery app runs them inline without a broker; the beat schedule's jobs
are plain functions that remove what expired and keep what is fresh."""

import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from babel_pug.celery import app
from impor import engine
from impor.tasks import remove_expired_import_files
from regions.tasks import clear_expired_sessions, prune_login_records

ROOT = Path(__file__).resolve().parent.parent


def test_without_a_broker_jobs_run_inline():
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert remove_expired_import_files.delay().get() == 0


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert scheduled == {
        "impor.tasks.remove_expired_import_files",
        "impor.tasks.fail_stale_import_jobs",
        "regions.tasks.clear_expired_sessions",
        "regions.tasks.prune_login_records",
        "akuntabilitas.tasks.send_daily_reminders",
    }
    assert scheduled <= set(app.tasks)


def broker_settings(**env: str) -> str:
    """``broker eager`` as the settings compute them from ``env`` (in a fresh process)."""
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    result = subprocess.run(  # noqa: S603 (fixed argv)
        [
            sys.executable,
            "-c",
            "from babel_pug import settings as s;"
            "print(s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)",
        ],
        cwd=ROOT,
        env={**clean, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_the_broker_comes_from_celery_broker_url_else_redis_url():
    assert broker_settings() == "memory:// True"
    assert broker_settings(REDIS_URL="redis://cache:6379/0") == "redis://cache:6379/0 False"
    assert (
        broker_settings(REDIS_URL="redis://cache:6379/0", CELERY_BROKER_URL="redis://q:6379/1")
        == "redis://q:6379/1 False"
    )


def put(path: Path, age_seconds: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    stamp = time.time() - age_seconds
    os.utime(path, (stamp, stamp))
    return path


def test_expired_import_files_and_previews_are_removed_fresh_ones_kept(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    day = engine.TMP_MAX_AGE
    old_upload = put(tmp_path / engine.TMP_DIR / f"{'a' * 32}.bin", day + 60)
    old_errors = put(tmp_path / engine.TMP_DIR / f"{'b' * 32}.xlsx", day + 60)
    old_admin = put(tmp_path / engine.LIBRARY_TMP_DIR / "c0ffee", 2 * day)
    fresh_upload = put(tmp_path / engine.TMP_DIR / f"{'d' * 32}.bin", 60)
    fresh_admin = put(tmp_path / engine.LIBRARY_TMP_DIR / "beef", day - 600)
    evidence = put(tmp_path / "bukti" / "sk.pdf", 400 * day)

    assert remove_expired_import_files() == 3

    assert not any(p.exists() for p in (old_upload, old_errors, old_admin))
    assert all(p.exists() for p in (fresh_upload, fresh_admin, evidence))
    assert remove_expired_import_files() == 0


def test_no_import_folder_yet_is_not_an_error(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "empty"

    assert remove_expired_import_files() == 0


@pytest.mark.django_db
def test_expired_sessions_are_cleared_live_ones_kept():
    live = SessionStore()
    live["x"] = 1
    live.create()
    expired = SessionStore()
    expired["x"] = 2
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    clear_expired_sessions()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def login_records(age: timedelta, username: str) -> None:
    common = {"username": username, "ip_address": "10.0.0.1", "user_agent": "x", "path_info": "/"}
    attempt = AccessAttempt.objects.create(
        **common, http_accept="*/*", get_data="", post_data="", failures_since_start=5
    )
    failure = AccessFailureLog.objects.create(**common, http_accept="*/*", locked_out=True)
    log = AccessLog.objects.create(**common, http_accept="*/*")
    then = timezone.now() - age
    for model, row in ((AccessAttempt, attempt), (AccessFailureLog, failure), (AccessLog, log)):
        model.objects.filter(pk=row.pk).update(attempt_time=then)


@pytest.mark.django_db
def test_login_records_older_than_30_days_are_pruned_recent_ones_kept():
    login_records(timedelta(days=31), "lama")
    login_records(timedelta(days=29), "baru")

    assert prune_login_records() == 3

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert list(model.objects.values_list("username", flat=True)) == ["baru"]


TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_a_real_worker_on_redis_runs_a_queued_job(tmp_path):
    """Eager mode hides what a worker meets (a message on Redis, JSON, another process with its
    own settings): one job goes the real way. Skipped without Redis, except in CI."""
    if not redis_reachable(TEST_REDIS_URL):
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {TEST_REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {TEST_REDIS_URL}")
    from celery import Celery

    expired = put(tmp_path / engine.TMP_DIR / f"{'e' * 32}.bin", engine.TMP_MAX_AGE + 60)
    fresh = put(tmp_path / engine.TMP_DIR / f"{'f' * 32}.bin", 60)
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"  # nobody else's worker takes it
    env = {**os.environ, "CELERY_BROKER_URL": TEST_REDIS_URL, "MEDIA_ROOT": str(tmp_path)}
    worker = subprocess.Popen(  # noqa: S603 (fixed argv)
        [sys.executable, "-m", "celery", "-A", "babel_pug", "worker", "-Q", queue]
        + ["--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle"]
        + ["-l", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with Celery(broker=TEST_REDIS_URL) as client:
            client.send_task("impor.tasks.remove_expired_import_files", queue=queue)
        deadline = time.monotonic() + 90
        while expired.exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
    finally:
        worker.terminate()
        _out, errors = worker.communicate(timeout=30)
        import redis

        store = redis.Redis.from_url(TEST_REDIS_URL)
        store.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")

    assert not expired.exists(), errors
    assert fresh.exists()


def worker_process(queue: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (fixed argv)
        [sys.executable, "-m", "celery", "-A", "babel_pug", "worker", "-Q", queue]
        + ["--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle"]
        + ["-l", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(worker: subprocess.Popen) -> str:
    if worker.poll() is None:
        worker.terminate()
    try:
        return worker.communicate(timeout=30)[1] or ""
    except subprocess.TimeoutExpired:
        worker.kill()
        return worker.communicate()[1] or ""


def large_nilai_csv(rows: int) -> bytes:
    """``rows`` valid, distinct indicator values: synthetic kab/kota 99.01… × every APE and KLA
    indicator of every year."""
    from penilaian.models import Indicator
    from regions.models import Region

    indicators = list(
        Indicator.objects.filter(edition__program__in=["ape", "kla"])
        .select_related("edition")
        .order_by("edition__year", "edition__program", "order")
    )
    province, _new = Region.objects.get_or_create(
        code="99", defaults={"name": "Provinsi Uji", "kind": "provinsi"}
    )
    count = -(-rows // len(indicators))
    codes = [f"99.{n:02d}" for n in range(1, count + 1)]
    Region.objects.bulk_create(
        [Region(code=c, name=f"Kab. Uji {c}", kind="kabupaten", parent=province) for c in codes]
    )

    def value(indicator) -> str:
        if indicator.kind == "ladder":
            return str(min(float(o["points"]) for o in indicator.options))
        return {"yesno": "1", "percent": "50"}.get(indicator.kind, "0")

    lines = ["kode_wilayah,tahun,kode_indikator,nilai,catatan"]
    lines += [
        f"{code},{ind.edition.year},{ind.code},{value(ind)},"
        for code in codes
        for ind in indicators
    ][:rows]
    return ("\n".join(lines) + "\n").encode()


def wait_for(check, seconds: float, worker: subprocess.Popen | None = None, every: float = 0.05):
    """Poll ``check()`` until it returns something true (returned), or fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker exited: {stop(worker)[-3000:]}")
        time.sleep(every)
    pytest.fail(f"gave up after {seconds} s")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_imports_a_large_file_dies_mid_apply_and_a_retry_writes_it_all(
    client, admin_user, settings, monkeypatch
):
    """A 20,000-row file through /impor/ with real workers on Redis and PostgreSQL: progress
    goes up; a worker killed (SIGKILL) while writing leaves no row and the job reads "gagal"
    once its heartbeat is older than IMPORT_JOB_STALE_SECONDS (that is how a dead worker is
    detected: nothing runs in a killed process); a retry on a new worker writes every row."""
    if not redis_reachable(TEST_REDIS_URL):
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {TEST_REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {TEST_REDIS_URL}")
    from celery import Celery
    from django.db import connection
    from django.urls import reverse

    from impor import jobs
    from impor.models import ImportJob, ImportRecord
    from penilaian.models import Answer

    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot reach the in-memory SQLite test database")
    rows = 20_000
    data = large_nilai_csv(rows)
    db = connection.settings_dict
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": TEST_REDIS_URL,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "IMPORT_JOB_PROGRESS_MS": "100",
        "IMPORT_JOB_WRITE_CHUNK": "1000",
    }
    settings.IMPORT_JOB_STALE_SECONDS = 3
    sender = Celery(broker=TEST_REDIS_URL, set_as_current=False)  # the app stays babel_pug's
    monkeypatch.setattr(
        jobs,
        "enqueue",
        lambda pk, attempt: sender.send_task(
            "impor.tasks.run_import_job", args=[pk, attempt], queue=queue
        ),
    )
    client.force_login(admin_user)
    workers = [worker_process(queue, env)]
    try:
        upload = io.BytesIO(data)
        upload.name = "nilai_besar.csv"
        started = time.monotonic()
        response = client.post(reverse("impor:upload", args=["nilai"]), {"file": upload})
        answered = time.monotonic() - started
        assert response.status_code == 302, response.content[:300]
        url = response.url
        assert answered < 5

        seen: list[int] = []

        def preview_done():
            job = client.get(url).context["job"]
            seen.append(job.rows_checked)
            return job.state == ImportJob.State.SELESAI and job

        job = wait_for(preview_done, 60, workers[0])
        assert job.summary["new"] == rows and job.summary["can_apply"], job.summary
        assert seen == sorted(seen), seen

        client.post(reverse("impor:job_confirm", args=[job.pk]))
        written = wait_for(
            lambda: (
                ImportJob.objects.filter(
                    pk=job.pk, state=ImportJob.State.BERJALAN, rows_written__gt=0
                )
                .values_list("rows_written", flat=True)
                .first()
            ),
            60,
            workers[0],
            every=0.01,
        )
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait(timeout=10)
        assert 0 < written < rows
        assert Answer.objects.count() == 0 and not ImportRecord.objects.exists()

        failed = wait_for(
            lambda: (j := client.get(url).context["job"]).state == ImportJob.State.GAGAL and j,
            20,
            every=0.5,
        )
        assert "3 detik" in failed.error
        assert Answer.objects.count() == 0 and not ImportRecord.objects.exists()

        workers.append(worker_process(queue, env))
        client.post(reverse("impor:job_retry", args=[job.pk]))
        progress: list[int] = []

        def applied():
            job = client.get(url).context["job"]
            progress.append(job.rows_written)
            return job.state == ImportJob.State.SELESAI and job.finished_at and job

        job = wait_for(applied, 60, workers[1])
        assert job.summary["reused"] is True
        assert job.rows_written == rows and job.record is not None
        assert progress == sorted(progress) and any(0 < n < rows for n in progress), progress
        assert Answer.objects.count() == rows
        assert ImportRecord.objects.get().rows_new == rows
    finally:
        sender.close()
        errors = "".join(stop(worker) for worker in workers)
        import redis

        store = redis.Redis.from_url(TEST_REDIS_URL)
        store.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    assert "Traceback" not in errors, errors[-3000:]
