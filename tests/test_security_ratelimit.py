"""An API rate limit holds for the whole site, not per gunicorn worker.

Three real gunicorn workers share Redis (``REDIS_URL``): of 24 anonymous requests on fresh
connections, exactly the configured 6 per minute get through, whichever worker answers. With a
local-memory cache each worker counted on its own (issue #12: 3x the rate under 3 workers).
Needs a Redis server: skipped without one on a developer machine, a failure under CI.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Helper databases: 5 unless TEST_REDIS_URL says otherwise (flushed by this test).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
RATE = 6


def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL} (this test runs in CI)")
    return client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_status(url: str) -> int:
    request = urllib.request.Request(url, headers={"Connection": "close"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def gunicorn_with_redis(tmp_path):
    client = redis_client()
    client.flushdb()
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}},
        "DEBUG": "false",
        "SECRET_KEY": "ratelimit-test-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "TESTING_STATIC": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": REDIS_URL,
        "API_THROTTLE_ANON": f"{RATE}/min",
        "WEB_CONCURRENCY": "3",
        "PORT": str(port),
        "LOG_LEVEL": "CRITICAL",
    }
    server = subprocess.Popen(  # noqa: S603 (fixed argv)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "babel_pug/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "babel_pug.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get_status(f"{base}/healthz") in (200, 503):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                log = server.stderr.read().decode()[-2000:]
                raise RuntimeError(f"gunicorn did not start: {log}")
            time.sleep(0.3)
        time.sleep(2)  # let all three workers boot
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        client.flushdb()


def test_three_gunicorn_workers_share_one_api_rate_limit(gunicorn_with_redis):
    # /api/docs/ is a DRF view open to anonymous clients: the anon throttle applies to it
    statuses = [get_status(f"{gunicorn_with_redis}/api/docs/") for _ in range(RATE * 4)]
    assert statuses.count(200) == RATE, statuses
    assert statuses.count(429) == RATE * 3, statuses
