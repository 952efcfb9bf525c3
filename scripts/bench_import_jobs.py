"""Benchmark of large ``nilai`` imports as worker jobs, beside the synchronous path (PostgreSQL).

Usage (from the project root; needs PostgreSQL and Redis)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python scripts/bench_import_jobs.py
    options: --sizes 50000,200000  --redis redis://127.0.0.1:6379/14  --no-write (print only)

Everything happens in a throwaway database ``babel_jobs_<random>`` next to the one
``DATABASE_URL`` names (dropped at the end) and a private Redis queue. Per size, on empty
answer and assessment tables each time:

* **synchronous** (one child process): ``engine.preview`` then ``engine.apply`` of the file, as
  the pages do below ``IMPORT_JOB_ROWS`` (the readiness refresh queued, not run); seconds and
  the process's peak RSS;
* **as a job**: a fresh Celery worker process (``--pool solo``) and a "web" child process that
  posts the file to ``/impor/nilai/`` with Django's test client (the time until the upload
  answers with the job page, and the job page's own answer times while the worker runs),
  polls the job page until the preview is done, confirms, and polls until the apply is done.
  The job's seconds come from its own timestamps and ``summary["seconds"]`` (check, write,
  commit, readiness refresh); the worker's peak RSS is its ``VmHWM`` at the end.

Results are printed and written into ``docs/benchmarks.md`` under "## Import as worker jobs".
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import benchlib  # scripts/benchlib.py, next to this file (on sys.path when run)

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Import as worker jobs"


# --- child side --------------------------------------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "babel_pug.settings")
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _admin():
    from django.contrib.auth import get_user_model

    user, _new = get_user_model().objects.get_or_create(
        username="bench.admin", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def _value(indicator, rng: random.Random) -> float:
    if indicator.kind == "ladder":
        return float(rng.choice(sorted({Decimal(str(o["points"])) for o in indicator.options})))
    if indicator.kind == "yesno":
        return float(rng.randrange(2))
    if indicator.kind == "percent":
        return rng.randrange(0, 10001) / 100
    return rng.randrange(0, int(indicator.max_score * 100) + 1) / 100


def child_setup(args) -> dict:
    """Migrate, add synthetic kab/kota (90.01 … 99.99), write one xlsx per size."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from openpyxl import Workbook

    from penilaian.models import Indicator
    from regions.models import Region

    _admin()
    indicators = list(
        Indicator.objects.filter(edition__program__in=["ape", "kla"])
        .select_related("edition")
        .order_by("edition__year", "edition__program", "order")
    )
    largest = max(args.size_list)
    needed = -(-largest // len(indicators))
    codes = [f"{p}.{n:02d}" for p in range(90, 100) for n in range(1, 100)][:needed]
    provinces = {}
    for province in sorted({c[:2] for c in codes}):
        provinces[province], _new = Region.objects.get_or_create(
            code=province, defaults={"name": f"Provinsi Uji {province}", "kind": "provinsi"}
        )
    Region.objects.bulk_create(
        [
            Region(code=c, name=f"Kabupaten Uji {c}", kind="kabupaten", parent=provinces[c[:2]])
            for c in codes
        ]
    )
    keys = [(code, ind) for code in codes for ind in indicators]
    work = Path(args.workdir)
    for size in args.size_list:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("nilai")
        sheet.append(["kode_wilayah", "tahun", "kode_indikator", "nilai", "catatan"])
        rng = random.Random(size)
        for index, (code, ind) in enumerate(keys[:size]):
            note = f"catatan {index}" if index % 10 == 0 else ""
            sheet.append([code, ind.edition.year, ind.code, _value(ind, rng), note])
        workbook.save(work / f"nilai_{size}.xlsx")
    return {"regions": len(codes), "indicators": len(indicators)}


def _reset() -> None:
    """Empty answers and assessments (and their history and stored readiness)."""
    from django.db import connection

    from penilaian.models import Answer, Assessment

    models = (Answer.history.model, Answer, Assessment.history.model, Assessment)
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
        cursor.execute("VACUUM ANALYZE")


def child_sync(args) -> dict:
    """The synchronous path: preview, then apply, in this process."""
    from dashboard import tasks
    from impor import engine

    tasks.refresh_readiness.delay = lambda ids: None  # a worker's job, not measured here
    _reset()
    user = _admin()
    name = f"nilai_{args.size}.xlsx"
    data = (Path(args.workdir) / name).read_bytes()
    started = time.perf_counter()
    preview = engine.preview("nilai", data, name, user)
    previewed = time.perf_counter()
    assert preview.can_apply, preview.refused or preview.plan.errors[:3]
    result = engine.apply("nilai", data, name, user)
    applied = time.perf_counter()
    assert result.record is not None, result.refused
    return {
        "rows": result.plan.total,
        "preview_s": previewed - started,
        "apply_s": applied - previewed,
        "peak_rss_mb": _peak_mb(),
    }


def child_web(args) -> dict:
    """Upload through /impor/, follow the job page, confirm, follow it again."""
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from impor.models import ImportJob

    setup_test_environment()  # the client then hands back each page's context
    _reset()
    client = Client()
    client.force_login(_admin())
    client.get(reverse("impor:upload", args=["nilai"]))  # a warm process, as a server's
    name = f"nilai_{args.size}.xlsx"
    upload = io.BytesIO((Path(args.workdir) / name).read_bytes())
    upload.name = name
    started = time.perf_counter()
    response = client.post(reverse("impor:upload", args=["nilai"]), {"file": upload})
    answered = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    url = response.url
    page_times: list[float] = []

    def follow(step: str) -> ImportJob:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            before = time.perf_counter()
            response = client.get(url)
            page_times.append(time.perf_counter() - before)
            job = response.context["job"]
            if job.step == step and job.state == "selesai" and job.finished_at:
                return job
            if job.state == "gagal":
                raise SystemExit(f"job failed: {job.error}")
            time.sleep(0.5)
        raise SystemExit("job did not finish")

    preview = follow("pratinjau")
    assert preview.summary["can_apply"], preview.summary.get("errors", [])[:3]
    confirm_at = time.perf_counter()
    client.post(reverse("impor:job_confirm", args=[preview.pk]))
    applied = follow("impor")
    done_at = time.perf_counter()
    return {
        "rows": applied.rows_total,
        "upload_answer_s": answered,
        "page_median_s": statistics.median(page_times),
        "page_max_s": max(page_times),
        "preview_job_s": (preview.finished_at - preview.started_at).total_seconds(),
        "apply_job_s": (applied.finished_at - applied.started_at).total_seconds(),
        "confirm_to_done_s": done_at - confirm_at,
        "reused": applied.summary.get("reused"),
        "seconds": applied.summary.get("seconds", {}),
        "web_peak_rss_mb": _peak_mb(),
    }


# --- parent side -------------------------------------------------------------------------------


def run_child(env: dict, *argv: str) -> dict:
    done = subprocess.run(  # noqa: S603 (this script, with arguments it built itself)
        [sys.executable, __file__, *argv], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-5000:])
        raise SystemExit(f"benchmark step failed: {' '.join(argv)}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def peak_of(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_size(env: dict, size: int, common: list[str]) -> dict:
    print(f"[{size}] synchronous …", flush=True)
    sync = run_child(env, "--child", "sync", "--size", str(size), *common)
    print(f"[{size}] {sync}", flush=True)
    worker_env = env  # the default queue, on the private Redis database of --redis
    worker = subprocess.Popen(  # noqa: S603 (fixed argv)
        [sys.executable, "-m", "celery", "-A", "babel_pug", "worker"]
        + ["--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle"]
        + ["-l", "WARNING"],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        print(f"[{size}] as a job …", flush=True)
        job = run_child(worker_env, "--child", "web", "--size", str(size), *common)
        job["worker_peak_rss_mb"] = peak_of(worker.pid)
    finally:
        worker.terminate()
        errors = worker.communicate(timeout=60)[1]
    if "Traceback" in errors:
        sys.stderr.write(errors[-5000:])
    print(f"[{size}] {job}", flush=True)
    return {"size": size, "sync": sync, "job": job, "load": os.getloadavg()}


def markdown(runs: list[dict], setup: dict) -> str:
    lines = [
        HEADING,
        "",
        f"`scripts/bench_import_jobs.py` on PostgreSQL, {platform.machine()} with "
        f"{os.cpu_count()} cores, Python {platform.python_version()}: `nilai` xlsx files over "
        f"{setup['regions']} synthetic kab/kota × {setup['indicators']} APE and KLA indicators "
        "(every year), each size into empty tables. The upload is timed in a warmed-up process "
        "(one page served before it), from the request to the redirect to the job page. "
        "*Synchronous* is the path below "
        "`IMPORT_JOB_ROWS` (preview, then apply, in the request; one process). *As a job*: the "
        "upload request (Django test client, in its own process) answers with the job page; a "
        "Celery worker (`--pool solo`, a fresh process per size) previews, and after the "
        "confirm applies, reusing the checked rows (one version check inside the transaction). "
        "Apply rows/s count the apply transaction (lock and version check, write, commit); the "
        "job's readiness refresh after the commit is listed apart. One run per size.",
        "",
        "**The machine is shared and loaded** (2 cores for 4 helpers and the lead; load average "
        "below): wall times stretch with the neighbours' work.",
        "",
        "| rows | path | upload answers (s) | job page median / max (s) | preview (s) "
        "| apply (s) | apply rows/s | check / write / commit / refresh (s) "
        "| peak RSS (MB) | load (1 min) |",
        "| ---: | --- | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for run in runs:
        sync, job, rows = run["sync"], run["job"], run["size"]
        lines.append(
            f"| {rows:,} | synchronous | — | — | {sync['preview_s']:.2f} | {sync['apply_s']:.2f} "
            f"| {rows / sync['apply_s']:,.0f} | — | {sync['peak_rss_mb']:.0f} "
            f"| {run['load'][0]:.1f} |"
        )
        sec = job["seconds"]
        transaction = sec["check"] + sec["write"] + sec["commit"]
        lines.append(
            f"| {rows:,} | as a job | {job['upload_answer_s']:.2f} "
            f"| {job['page_median_s']:.3f} / {job['page_max_s']:.3f} "
            f"| {job['preview_job_s']:.2f} | {transaction:.2f} | {rows / transaction:,.0f} "
            f"| {sec['check']:.2f} / {sec['write']:.2f} / {sec['commit']:.2f} / "
            f"{sec['refresh']:.2f} | {job['worker_peak_rss_mb']:.0f} (worker) "
            f"| {run['load'][0]:.1f} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="50000,200000")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", choices=["setup", "sync", "web"])
    parser.add_argument("--size", type=int)
    parser.add_argument("--workdir")
    args = parser.parse_args()
    args.size_list = [int(s) for s in args.sizes.split(",")]

    if args.child:
        _django()
        child = {"setup": child_setup, "sync": child_sync, "web": child_web}[args.child]
        print(json.dumps(child(args), default=str))
        return

    url = os.environ.get("DATABASE_URL", "")
    if not benchlib.is_postgres(url):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server")
    work = tempfile.mkdtemp(prefix="babel_jobs_")
    common = ["--workdir", work, "--sizes", args.sizes]
    try:
        with benchlib.throwaway_postgres(url, "babel_jobs") as db_url:
            env = {
                **os.environ,
                "DATABASE_URL": db_url,
                "DEBUG": "",
                "SECRET_KEY": secrets.token_urlsafe(40),
                "MEDIA_ROOT": str(Path(work) / "media"),
                "CONN_MAX_AGE": "0",
                "CELERY_BROKER_URL": args.redis,
                "REDIS_URL": "",
                "ALLOWED_HOSTS": "testserver",
                "SECURE_SSL_REDIRECT": "false",
                "TESTING_STATIC": "true",
            }
            print("setting up …", flush=True)
            setup = run_child(env, "--child", "setup", *common)
            runs = [run_size(env, size, common) for size in args.size_list]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    section = markdown(runs, setup)
    print(section)
    if not args.no_write:
        benchlib.write_section(HEADING, section)


if __name__ == "__main__":
    main()
