"""Benchmark of the test suite: wall time and CPU time, serial and with pytest-xdist workers.

Usage (from the project root)::

    .venv/bin/python scripts/bench_tests.py                      # SQLite: serial, then -n 2
    .venv/bin/python scripts/bench_tests.py --workers 2 0 \\
        --database postgres://postgres@127.0.0.1:5432/bp_bench   # PostgreSQL
    options: --workers N [N ...] (0 = serial, default: 0 2)  --durations N  --no-write

Each configuration runs the whole suite once (``pytest -q -p no:cacheprovider [-n N]``) in a
child process and records its wall time, the CPU time of the run and all its children
(``RUSAGE_CHILDREN``: pytest, the xdist workers, chromium, subprocesses), the 1-minute load
average before and after (the machine may be shared: a load above the number of cores means
the run waited for the CPU) and pytest's summary line. Results accumulate in
``artifacts/bench_tests.json`` (one entry per database and worker count, the latest run wins)
and the "## Test suite" section of ``docs/benchmarks.md`` is rewritten from them; pytest's output
is kept in ``artifacts/bench_tests_<database>_<workers>.log`` (with ``--durations N``, the N
slowest tests are listed there).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROOT = benchlib.ROOT
RESULTS = ROOT / "artifacts" / "bench_tests.json"
SUMMARY = re.compile(r"^=*\s*(\d+ (passed|failed|error).*?) in [\d.]+s", re.M)


def database_label(url: str) -> str:
    return "PostgreSQL" if benchlib.is_postgres(url) else "SQLite"


def run(workers: int, database: str, durations: int = 0) -> dict:
    """Run the suite once; what it took. pytest's output goes to ``artifacts/``."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database:
        env["DATABASE_URL"] = database
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if workers:
        argv += ["-n", str(workers)]
    if durations:
        argv += [f"--durations={durations}"]
    load_before = os.getloadavg()[0]
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 (fixed argv)
        argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = SUMMARY.findall(result.stdout)
    log = RESULTS.with_name(f"bench_tests_{database_label(database)}_{workers}.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    return {
        "database": database_label(database),
        "workers": workers,
        "wall_s": round(wall, 1),
        "cpu_s": round(
            usage.ru_utime - usage_before.ru_utime + usage.ru_stime - usage_before.ru_stime, 1
        ),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "returncode": result.returncode,
        "summary": summary[-1][0] if summary else result.stdout.strip().splitlines()[-1:],
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
    }


def commit() -> str:
    """The checked-out commit (``+`` when the work tree has changes)."""
    git = shutil.which("git") or "git"
    head = subprocess.run(  # noqa: S603 (fixed argv)
        [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(  # noqa: S603 (fixed argv)
        [git, "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head + ("+" if dirty else "")


def load_results() -> list[dict]:
    return json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else []


def save_results(results: list[dict]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1), encoding="utf-8")


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}:{round(seconds % 60):02d}"


def result(r: dict) -> str:
    return r["summary"] + (f" ({r['note']})" if r.get("note") else "")


def markdown(results: list[dict]) -> str:
    rows = sorted(results, key=lambda r: (r["database"] != "SQLite", r["workers"]))
    lines = [
        "## Test suite",
        "",
        f"`scripts/bench_tests.py` — the whole suite (`pytest -q`), serial and with pytest-xdist "
        f"workers (`-n N`), on {platform.machine()} with {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. Wall time is what `make test` takes; CPU time adds up "
        "the pytest process, its workers and their children. The machine is shared: a load "
        f"average above {os.cpu_count()} means the run waited for the CPU (compare runs of "
        "similar load). Target: `make test` under 4 minutes.",
        "",
        "| database | workers | wall (min:s) | CPU (min:s) | load before → after | result | when "
        "| commit |",
        "| --- | ---: | ---: | ---: | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['database']} | {r['workers'] or 'serial'} | {minutes(r['wall_s'])} | "
            f"{minutes(r['cpu_s'])} | {r['load_before']} → {r['load_after']} | {result(r)} | "
            f"{r['when']} | {r.get('commit', '')} |"
        )
    by_key = {(r["database"], r["workers"]): r for r in rows}
    notes = []
    for database in ("SQLite", "PostgreSQL"):
        serial = by_key.get((database, 0))
        for r in rows:
            if serial and r["database"] == database and r["workers"]:
                notes.append(
                    f"- {database}, {r['workers']} workers: wall time "
                    f"{r['wall_s'] / serial['wall_s']:.0%} of serial, CPU time "
                    f"{r['cpu_s'] / serial['cpu_s']:.0%} of serial (loads {serial['load_before']}"
                    f"–{serial['load_after']} serial, {r['load_before']}–{r['load_after']} "
                    "parallel)."
                )
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 2])
    parser.add_argument("--database", default="", help="DATABASE_URL (default: SQLite)")
    parser.add_argument("--durations", type=int, default=0, help="pytest --durations (in the log)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    for workers in args.workers:
        result = run(workers, args.database, args.durations)
        print(json.dumps(result), flush=True)
        results = [
            r
            for r in load_results()
            if (r["database"], r["workers"]) != (result["database"], result["workers"])
        ]
        save_results([*results, result])
        if not args.no_write:
            benchlib.write_section("## Test suite", markdown(load_results()))
    print(markdown(load_results()))


if __name__ == "__main__":
    main()
