"""Background jobs: the Celery app runs them inline without a broker; the beat schedule's jobs
are plain functions that remove what expired and keep what is fresh."""

import os
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
