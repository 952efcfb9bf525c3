"""Benchmark of the dashboard pages and the readiness read, at province and national scale.

Usage (from the project root)::

    .venv/bin/python scripts/bench_dashboard.py                  # SQLite only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python scripts/bench_dashboard.py              # SQLite, then PostgreSQL
    options: --repeat 30  --years 5  --no-write (print only)  --areas DIR
    environment: BENCH_ONLY="api/v1,readiness_for" (parts of case labels),
                 BENCH_MODES="start,repeated" (states), BENCH_SKIP_SQLITE=1

Everything happens in throwaway databases: a temporary SQLite file, and on PostgreSQL a new
database ``babel_dash_<random>`` next to the one ``DATABASE_URL`` names (dropped at the end).
Each backend runs in its own child process (settings are read once per process).

Dataset: the migrated reference data (province 19: 7 kab/kota, 47 kecamatan, 393 desa) with
generated APE, KLA and Kampung KB assessments for 5 years (2021–2025) — the **province** scale.
Then every other kab/kota, kecamatan and desa of Indonesia is added from the Kemendagri list of
the npm package ``idn-area-data`` 4.0.1 (``npm pack idn-area-data@4.0.1``; its ``data/*.csv``
are looked up in ``--areas``, ``$IDN_AREA_DATA`` or fetched with ``npm pack`` into a
temporary directory; without npm, a generated list of the same size is used) with the same
generated assessments — the **national** scale (514 kab/kota, ~83,000 desa).

At each scale, the Django test Client logged in as a superuser requests each page ``--repeat``
times after two warm-up requests; the readiness read is timed by calling it directly. Reported:
median and p95 of the server time (the time ``Client.get`` takes: URL routing, middleware,
session, queries, scoring and template rendering, without network) and the number of queries
of one request. Results are printed and written into ``docs/benchmarks.md`` under
"## Dashboard" (other sections of that file are left as they are).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
from decimal import Decimal
from pathlib import Path

import benchlib  # scripts/benchlib.py, next to this file (on sys.path when run)

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025
TARGETS_MS = {"province": 60, "national": 120}  # pages
API_TARGET_MS = 300  # GET /api/v1/readiness/ over every kab/kota
# States no user meets on the normal path, reported without a target: rows a failed or lost
# refresh left stale, and no stored row at all (a deploy of a new result format before
# ``recompute_readiness`` ran). Readers recompute them in the request (``dashboard.store``).
FALLBACK_MODES = ("stale rows", "nothing stored")


def target_of(result: dict) -> int | None:
    if result["kind"] != "page" or result["mode"] in FALLBACK_MODES:
        return None
    return API_TARGET_MS if result["label"].startswith("API") else TARGETS_MS[result["scale"]]


# --- child side: build data, measure -----------------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "babel_pug.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789-abcdefghijklmnop")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("TESTING_STATIC", "true")
    os.environ["DEBUG"] = ""
    import django

    django.setup()


def _value(indicator, fraction: float) -> Decimal:
    """A valid stored value worth about ``fraction`` of the indicator's points."""
    if indicator.kind == "ladder":
        points = sorted(Decimal(str(option["points"])) for option in indicator.options)
        return points[round(fraction * (len(points) - 1))]
    if indicator.kind == "percent":
        return (Decimal(fraction) * 100).quantize(Decimal("0.01"))
    if indicator.kind == "score":
        return (indicator.max_score * Decimal(fraction)).quantize(Decimal("0.01"))
    return Decimal(1) if fraction >= 0.5 else Decimal(0)


def generate(region_ids: list[int], years: list[int]) -> dict[str, int]:
    """APE, KLA and Kampung KB assessments with answers / desa rows for the regions × years."""
    from kampung_kb.models import DesaRecord
    from penilaian.models import Answer, Assessment, Edition, Indicator
    from regions.models import Desa

    editions = {(e.program, e.year): e for e in Edition.objects.filter(year__in=years)}
    indicators: dict[int, list] = {}
    for indicator in Indicator.objects.filter(edition__year__in=years):
        indicators.setdefault(indicator.edition_id, []).append(indicator)
    statuses = ("verified", "verified", "verified", "submitted", "draft", "returned")
    assessments = []
    for region_id in region_ids:
        for year in years:
            for program in ("ape", "kla", "kampung_kb"):
                rng = random.Random(f"{region_id}-{year}-{program}")  # noqa: S311 - test data
                status = "verified" if year < max(years) else rng.choice(statuses)
                assessments.append(
                    Assessment(
                        edition=editions[(program, year)], region_id=region_id, status=status
                    )
                )
    Assessment.objects.bulk_create(assessments, batch_size=2000)
    saved = Assessment.objects.filter(region_id__in=region_ids, edition__year__in=years)
    answers, kkb = [], {}
    for assessment in saved.select_related("edition"):
        edition = assessment.edition
        if edition.program == "kampung_kb":
            kkb[(assessment.region_id, edition.year)] = assessment.pk
            continue
        rng = random.Random(f"{assessment.region_id}-{edition.year}-{edition.program}")  # noqa: S311
        level = 0.3 + 0.6 * rng.random()
        for indicator in indicators[edition.pk]:
            fraction = min(1.0, max(0.0, level + rng.uniform(-0.3, 0.3)))
            answers.append(
                Answer(
                    assessment=assessment, indicator=indicator, value=_value(indicator, fraction)
                )
            )
    Answer.objects.bulk_create(answers, batch_size=5000)
    rows = 0
    desa = list(Desa.objects.filter(region_id__in=region_ids).values_list("id", "region_id"))
    stages = ("tidak_ada", "pemula", "berkembang", "maju")
    for year in years:
        batch = []
        for desa_id, region_id in desa:
            rng = random.Random(f"{desa_id}-{year}")  # noqa: S311
            batch.append(
                DesaRecord(
                    assessment_id=kkb[(region_id, year)],
                    desa_id=desa_id,
                    kampung_kb=rng.random() < 0.55,
                    capaian_kkbpk=rng.random() < 0.7,
                    kinerja_patbm=rng.random() < 0.7,
                    industri_rumahan=rng.choice(stages),
                    akta_kelahiran_persen=Decimal(rng.randint(60, 100)),
                    program_lintas_sektor=rng.randint(0, 3),
                )
            )
        DesaRecord.objects.bulk_create(batch, batch_size=5000)
        rows += len(batch)
    return {"assessments": len(assessments), "answers": len(answers), "desa_rows": rows}


def _areas_dir(given: str | None) -> Path | None:
    """The directory holding idn-area-data's regencies/districts/villages.csv, if obtainable."""
    for candidate in (given, os.environ.get("IDN_AREA_DATA")):
        if candidate and (Path(candidate) / "villages.csv").exists():
            return Path(candidate)
    npm = shutil.which("npm")
    if npm is None:
        return None
    target = Path(tempfile.mkdtemp(prefix="idn_area_"))
    try:
        subprocess.run(  # noqa: S603 - fixed arguments
            [npm, "pack", "idn-area-data@4.0.1", "--silent"],
            cwd=target,
            check=True,
            capture_output=True,
            timeout=180,
        )
        tarball = next(target.glob("idn-area-data-*.tgz"))
        shutil.unpack_archive(tarball, target)
        return target / "package" / "data"
    except (subprocess.SubprocessError, StopIteration, OSError):
        return None


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def national_areas(areas: Path | None) -> tuple[str, list, list, list]:
    """(source, regencies, districts, villages) as tuples of codes and names."""
    if areas is not None:
        regencies = [
            (r["code"], r["province_code"], r["name"]) for r in _read_csv(areas / "regencies.csv")
        ]
        districts = [
            (d["code"], d["regency_code"], d["name"]) for d in _read_csv(areas / "districts.csv")
        ]
        villages = [
            (v["code"], v["district_code"], v["name"]) for v in _read_csv(areas / "villages.csv")
        ]
        return "idn-area-data 4.0.1 (Kemendagri)", regencies, districts, villages
    rng = random.Random(514)  # noqa: S311 - generated stand-in of the same size
    regencies, districts, villages = [], [], []
    for n in range(514):
        province = f"{21 + n // 14:02d}"
        code = f"{province}.{n % 14 + 1:02d}"
        regencies.append((code, province, f"Kabupaten Uji {n}"))
        for k in range(14):
            district = f"{code}.{k + 1:02d}"
            districts.append((district, code, f"Kecamatan {n}-{k}"))
            for v in range(rng.randint(8, 15)):
                villages.append((f"{district}.{2001 + v}", district, f"Desa {n}-{k}-{v}"))
    return "generated (idn-area-data not available)", regencies, districts, villages


def add_national(areas: Path | None) -> dict[str, object]:
    """Every kab/kota, kecamatan and desa of Indonesia not already in the database."""
    from regions.models import Desa, Kecamatan, Region

    source, regencies, districts, villages = national_areas(areas)
    existing = set(Region.objects.values_list("code", flat=True))
    provinces = {}
    for code, province, _name in regencies:
        if code in existing:
            continue
        if province not in provinces:
            parent = Region.objects.filter(code=province).first() or Region.objects.create(
                code=province, name=f"Provinsi {province}", kind="provinsi"
            )
            provinces[province] = parent
    Region.objects.bulk_create(
        Region(
            code=code,
            name=name,
            kind="kota" if name.startswith("Kota ") else "kabupaten",
            parent=provinces[province],
        )
        for code, province, name in regencies
        if code not in existing
    )
    region_ids = dict(Region.objects.values_list("code", "id"))
    known = set(Kecamatan.objects.values_list("code", flat=True))
    Kecamatan.objects.bulk_create(
        (
            Kecamatan(code=code, name=name, region_id=region_ids[regency])
            for code, regency, name in districts
            if code not in known and regency in region_ids
        ),
        batch_size=5000,
    )
    kecamatan = dict(Kecamatan.objects.values_list("code", "id"))
    kecamatan_region = dict(Kecamatan.objects.values_list("id", "region_id"))
    known = set(Desa.objects.values_list("code", flat=True))
    Desa.objects.bulk_create(
        (
            Desa(
                code=code,
                name=name[:100],
                kecamatan_id=kecamatan[district],
                region_id=kecamatan_region[kecamatan[district]],
                jenis="kelurahan" if code.split(".")[-1].startswith("1") else "desa",
            )
            for code, district, name in villages
            if code not in known and district in kecamatan
        ),
        batch_size=5000,
    )
    return {"source": source}


def _time(call, repeat: int, before=None) -> dict[str, float]:
    """Median and p95 of wall time (and median CPU time of this process) over ``repeat`` calls.

    ``before`` runs untimed ahead of each call (clearing the cache for a cold request).
    """
    for _ in range(2):  # warm-up: template loading, first-use caches
        if before:
            before()
        call()
    wall, cpu, collected = [], [], []
    for _ in range(repeat):
        if before:
            before()
        GC_CLOCK["ms"] = 0.0
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
        collected.append(GC_CLOCK["ms"])
    wall.sort()
    p95 = statistics.quantiles(wall, n=20, method="inclusive")[18] if repeat > 1 else wall[0]
    return {
        "median_ms": statistics.median(wall),
        "p95_ms": p95,
        "max_ms": wall[-1],
        "cpu_ms": statistics.median(cpu),
        "gc_max_ms": max(collected),
    }


# Time spent in the garbage collector during a timed call (the slowest of the repetitions is
# often one that ran a full collection).
GC_CLOCK = {"ms": 0.0, "since": 0.0}


def _like_a_gunicorn_worker() -> None:
    """What ``babel_pug/gunicorn.conf.py`` does in each worker: ``post_worker_init`` freezes what
    is alive once the portal is loaded (here also what the dataset build left alive), and
    ``post_request`` what each of the first ``FREEZE_AFTER_REQUESTS`` requests loaded lazily,
    out of the garbage collector's reach; a full collection then walks only what requests
    leave."""
    import gc
    import runpy

    from django.core.signals import request_finished

    conf = runpy.run_path(str(ROOT / "babel_pug" / "gunicorn.conf.py"))
    conf["post_worker_init"](None)
    worker = types.SimpleNamespace(nr=0)

    def after_request(**kwargs) -> None:
        worker.nr += 1
        conf["post_request"](worker, None, None, None)

    request_finished.connect(after_request, weak=False, dispatch_uid="bench-gunicorn-worker")
    gc.collect()


def _gc_census() -> str:
    import gc

    gc.collect()
    objects = gc.get_objects()
    start = time.perf_counter()
    gc.collect()
    took = (time.perf_counter() - start) * 1000
    gc.freeze()
    start = time.perf_counter()
    gc.collect()
    frozen = (time.perf_counter() - start) * 1000
    gc.unfreeze()
    return (
        f"{len(objects):,} tracked objects, a full collection {took:.0f} ms "
        f"({frozen:.0f} ms with them frozen)"
    )


def _gc_clock(phase: str, info: dict) -> None:
    if phase == "start":
        GC_CLOCK["since"] = time.perf_counter()
    else:
        GC_CLOCK["ms"] += (time.perf_counter() - GC_CLOCK["since"]) * 1000


def _queries(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def measure(repeat: int, scale: str) -> list[dict[str, object]]:
    """Time each page, a save and the readiness reads at the current size of the database."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import transaction
    from django.db.models import F
    from django.test import Client
    from django.utils import timezone

    from dashboard import store
    from dashboard.models import StoredReadiness
    from dashboard.readiness import readiness_for_region, readiness_for_year
    from penilaian import versions
    from penilaian.models import Answer, Assessment
    from regions.models import Region

    admin, _ = get_user_model().objects.get_or_create(
        username="bench.admin", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(admin)
    anonymous = Client()
    regions = Region.objects.exclude(kind="provinsi")
    bangka = Region.objects.get(code="19.01")
    # one assessment of Bangka (whose region page is measured) and one of the first kab/kota
    # on the first page of the lists: the same work at both scales (at province both are 19.01)
    first = regions.order_by("code").first()
    touched = [
        Assessment.objects.filter(region=region, edition__year=YEAR).order_by("pk").first().pk
        for region in {bangka, first}
    ]
    store.recompute_all()  # what migrate + the first reads (or recompute_readiness) leave

    def save():
        # a save as every write path makes it: the versions move on and, after the commit, the
        # listener of ``penilaian.versions`` recomputes the saved assessments' own rows
        with transaction.atomic():
            versions.bump_assessments(Assessment.objects.filter(pk__in=touched))

    def stale():
        # a change whose own refresh did not run (a refresh that failed, a job lost with its
        # worker): the versions move on and the next reader recomputes the rows
        Assessment.objects.filter(pk__in=touched).update(
            version=F("version") + 1, updated_at=timezone.now()
        )

    def start():
        # what a (re)start leaves: nothing in the process or the cache; the stored rows stay
        cache.clear()

    def nothing_stored():
        # the worst case: no stored row at all (a catalog edit of every edition, a new FORMAT)
        cache.clear()
        StoredReadiness.objects.all().delete()

    def page(url, who=client):
        def call():
            response = who.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    # the entry form POST of one KLA value of Bangka's draft (its own row recomputed after the
    # commit); alternates between two values so that every POST changes something
    kla = Assessment.objects.filter(
        region=bangka, edition__program="kla", edition__year=YEAR
    ).first()
    Assessment.objects.filter(pk=kla.pk).update(status=Assessment.Status.DRAFT)
    answer = Answer.objects.filter(assessment=kla).select_related("indicator").first()
    flip = {"n": 0}

    def post_save():
        flip["n"] += 1
        current = Assessment.objects.values_list("version", flat=True).get(pk=kla.pk)
        value = _value(answer.indicator, 1.0 if flip["n"] % 2 else 0.0)
        response = client.post(
            f"/penilaian/kla/19.01/{YEAR}/",
            {"version": current, f"v_{answer.indicator.code}": str(value)},
        )
        assert response.status_code in (200, 302), response.status_code

    cases = [
        ("page", "province dashboard `/`", page(f"/?tahun={YEAR}")),
        ("page", "region page `/wilayah/19.01/`", page(f"/wilayah/19.01/?tahun={YEAR}")),
        ("page", "public page `/publik/` (anonymous)", page(f"/publik/?tahun={YEAR}", anonymous)),
        ("page", "KLA page `/kla/`", page(f"/kla/?tahun={YEAR}")),
        (
            "page",
            "Kampung KB page, one region's desa",
            page(f"/kampung-kb/?tahun={YEAR}&wilayah=19.01"),
        ),
        (
            "page",
            "API `/api/v1/readiness/` (every kab/kota)",
            page(f"/api/v1/readiness/?year={YEAR}&page_size=500"),
        ),
        ("save", "entry form POST (one KLA value, its row recomputed)", post_save),
        (
            "read",
            "`readiness_for_year` (every kab/kota)",
            lambda: readiness_for_year(YEAR, regions),
        ),
        ("read", "`readiness_for_region` (all years)", lambda: readiness_for_region(bangka)),
    ]
    # BENCH_ONLY / BENCH_MODES: comma-separated parts of the labels / the states to measure
    only = [part for part in os.environ.get("BENCH_ONLY", "").split(",") if part]
    wanted_modes = [part for part in os.environ.get("BENCH_MODES", "").split(",") if part]
    if only:
        cases = [case for case in cases if any(part in case[1] for part in only)]
    results = []
    for kind, label, call in cases:
        times = repeat
        if kind in ("page", "read"):
            modes = (
                ("start", start),
                ("after a save", save),
                ("repeated", None),
                ("stale rows", stale),
                ("nothing stored", nothing_stored),
            )
        else:
            modes = (("—", None),)
        if wanted_modes:
            modes = tuple(mode for mode in modes if mode[0] in wanted_modes)
        for mode, before in modes:
            result = {"scale": scale, "kind": kind, "label": label, "mode": mode}
            slow = before is nothing_stored and scale == "national"
            count = max(5, times // 3) if slow else times
            result.update(_time(call, count, before))
            if before:
                before()
            result["queries"] = _queries(call)  # one more request in the same state
            result["repeat"] = count
            results.append(result)
            print(
                f"  {scale:9} {mode:14} {label:45} {result['median_ms']:8.1f} ms median "
                f"{result['p95_ms']:8.1f} ms p95 {result['cpu_ms']:8.1f} ms cpu "
                f"{result['gc_max_ms']:6.1f} ms gc max "
                f"{result['queries']} queries",
                file=sys.stderr,
            )
        store.recompute_all()
    return results


def _counts() -> dict[str, int]:
    from kampung_kb.models import DesaRecord
    from penilaian.models import Answer, Assessment
    from regions.models import Desa, Kecamatan, Region

    return {
        "kab/kota": Region.objects.exclude(kind="provinsi").count(),
        "kecamatan": Kecamatan.objects.count(),
        "desa": Desa.objects.count(),
        "assessments": Assessment.objects.count(),
        "answers": Answer.objects.count(),
        "desa rows": DesaRecord.objects.count(),
    }


def child(args) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection

    from regions.models import Region

    load = [os.getloadavg()[0]]
    call_command("migrate", verbosity=0)
    years = list(range(YEAR - args.years + 1, YEAR + 1))
    province_ids = list(Region.objects.exclude(kind="provinsi").values_list("id", flat=True))
    start = time.perf_counter()
    generate(province_ids, years)
    build_s = time.perf_counter() - start
    out = {"vendor": connection.vendor, "results": [], "sizes": {}}
    out["sizes"]["province"] = _counts()
    out["gc"] = [_gc_census()]
    _like_a_gunicorn_worker()
    out["results"] += measure(args.repeat, "province")
    if os.environ.get("BENCH_PROVINCE_ONLY"):  # a quick check of the script itself
        print(json.dumps(out, default=str))
        sys.exit(0)

    start = time.perf_counter()
    info = add_national(_areas_dir(args.areas))
    national_ids = list(
        Region.objects.exclude(kind="provinsi")
        .exclude(pk__in=province_ids)
        .values_list("id", flat=True)
    )
    generate(national_ids, years)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    build_s += time.perf_counter() - start
    out["source"] = info["source"]
    out["build_s"] = build_s
    out["sizes"]["national"] = _counts()
    _like_a_gunicorn_worker()
    out["results"] += measure(args.repeat, "national")
    load.append(os.getloadavg()[0])
    out["load"] = load
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()"
        )
        out["db_version"] = cursor.fetchone()[0].split(" on ")[0]
    return out


# --- parent side -------------------------------------------------------------------------------


def run_backend(label: str, url: str, args) -> dict:
    env = dict(os.environ, DATABASE_URL=url)
    argv = [
        sys.executable,
        __file__,
        "--child",
        "--repeat",
        str(args.repeat),
        "--years",
        str(args.years),
    ]
    if args.areas:
        argv += ["--areas", args.areas]
    print(f"{label}: building and measuring …", file=sys.stderr)
    done = subprocess.run(argv, env=env, check=True, stdout=subprocess.PIPE, text=True)  # noqa: S603
    run = json.loads(done.stdout.strip().splitlines()[-1])
    run["label"] = label
    return run


def markdown(runs: list[dict], args) -> str:
    lines = [
        "## Dashboard",
        "",
        f"`scripts/bench_dashboard.py` on {platform.node() and 'this machine'}: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {args.years} years "
        f"({YEAR - args.years + 1}–{YEAR}) of APE, KLA and Kampung KB data, the page for "
        f"{YEAR}. Server time = Django test `Client.get` as a superuser (routing, middleware, "
        "session, queries, scoring, template) with no network; each page "
        f"{args.repeat} times after 2 warm-up requests. Targets: p95 < "
        f"{TARGETS_MS['province']} ms for the province (7 kab/kota) and < "
        f"{TARGETS_MS['national']} ms at national scale, with the same number of queries; the "
        f"readiness API over every kab/kota p95 < {API_TARGET_MS} ms.",
        "",
    ]
    for run in runs:
        sizes = run["sizes"]
        lines += [
            f"### {run['label']} ({run['db_version']})",
            "",
            f"Data: province {sizes['province']['kab/kota']} kab/kota, "
            f"{sizes['province']['desa']:,} desa, {sizes['province']['answers']:,} answers, "
            f"{sizes['province']['desa rows']:,} desa rows; national "
            f"{sizes['national']['kab/kota']} kab/kota, {sizes['national']['kecamatan']:,} "
            f"kecamatan, {sizes['national']['desa']:,} desa, "
            f"{sizes['national']['assessments']:,} assessments, "
            f"{sizes['national']['answers']:,} answers, {sizes['national']['desa rows']:,} desa "
            f"rows (areas: {run['source']}; built in {run['build_s']:.0f} s). Load average "
            f"(1 min) at the start and end of the run: {run['load'][0]:.1f} / "
            f"{run['load'][1]:.1f}. Garbage collector at the province scale: {run['gc'][0]}.",
            "",
            "| what | scale | state | queries | median ms | p95 ms | CPU ms | GC max ms | target "
            "p95 | |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for r in run["results"]:
            target = target_of(r)
            verdict = "" if target is None else ("ok" if r["p95_ms"] < target else "**missed**")
            lines.append(
                f"| {r['label']} | {r['scale']} | {r['mode']} | {r['queries']} | "
                f"{r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['cpu_ms']:.1f} | "
                f"{r.get('gc_max_ms', 0):.1f} | {target or '—'} | {verdict} |"
            )
        lines.append("")
    lines += NOTES
    lines += misses(runs)
    return "\n".join(lines)


NOTES = [
    "State column: *start* = the first request after a (re)start: nothing in the process or the "
    "cache, the stored rows in the database (a restart loses nothing; there is no warm-up); "
    "*after a save* = the first request after a save of two assessments (one of Kabupaten "
    "Bangka, 19.01, and one of the first kab/kota on the lists' first page; at province scale "
    "both are 19.01) made as every write path makes it: their versions go up and, after the "
    "commit, their own stored rows are recomputed (`penilaian.versions` → "
    "`dashboard.tasks`), so the reader finds them fresh; *repeated* = the same request again. "
    "Two fallback states no user meets on the normal path are reported without a target: "
    "*stale rows* = the same change when its own refresh did not run (a failed refresh, a job "
    "lost with its worker): the request recomputes and stores those rows; *nothing stored* = "
    "no stored row at all (a deploy of a new result format before `recompute_readiness` ran; a "
    "catalog edit queues the refresh of its edition's rows as a job): the request computes "
    "every row it reads and stores it.",
    "",
    "How it works (`dashboard/store.py`): readiness is stored per assessment with the "
    "assessment's `version` and the edition's `catalog_version` it was computed from; each page, "
    "the API and the exports read their rows in one query and recompute, in one batch, only the "
    "rows whose versions no longer match.",
    "",
    "Notes:",
    "",
    "- Query counts are the same at both scales in every state but *nothing stored*: each page "
    "reads by sets (one readiness read plus a fixed set of helper reads), never per region, "
    "desa or year; with nothing stored, the rows it computes are written 500 (SQLite: fewer) "
    "per statement, so a read of every kab/kota at national scale takes a few statements more.",
    "- The dashboard and public page show 25 kab/kota per page, the programme pages 20, so at "
    "national scale a page reads and renders one page of regions; the API row reads every "
    "kab/kota (`page_size=500` plus the rest on a second page at national scale: one request "
    "timed), as do the xlsx exports.",
    "- *nothing stored* at national scale is timed over a third of the repetitions.",
    "- The entry form POST is the whole request (validation, the answer and history rows, the "
    "version bump, and the recompute of its own stored row after the commit, then the "
    "redirect).",
    "- The CPU column (this process only) against the wall time shows how much of it is the "
    "machine's load (2 cores, load average above).",
    "- *GC max* = the longest time the garbage collector ran inside one timed request. Like each "
    "gunicorn worker (`post_worker_init` in `babel_pug/gunicorn.conf.py`), the benchmark "
    "freezes what is alive after start-up (`gc.freeze()`) before it measures; before that, the "
    "request that triggered a full collection waited 60–170 ms for it, which made most of the "
    "p95 outliers of earlier runs.",
    "",
]


def misses(runs: list[dict]) -> list[str]:
    """A sentence per page and cache state whose p95 missed its target, from the results."""
    lines = []
    for run in runs:
        for r in run["results"]:
            target = target_of(r)
            if target is not None and r["p95_ms"] >= target:
                lines.append(
                    f"- {run['label']}, {r['scale']}, {r['label']}, *{r['mode']}*: p95 "
                    f"{r['p95_ms']:.0f} ms (median {r['median_ms']:.0f} ms) against {target} ms."
                )
    if not lines:
        return ["Every page meets its target in every state measured.", ""]
    return ["Where a target is missed:", "", *lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--areas", help="directory with idn-area-data's CSV files")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()

    if args.child:
        import gc

        gc.callbacks.append(_gc_clock)
        _django()
        print(json.dumps(child(args), default=str))
        return

    runs = []
    if not os.environ.get("BENCH_SKIP_SQLITE"):  # e.g. to re-run PostgreSQL alone
        with benchlib.throwaway_sqlite("babel_dash") as sqlite_url:
            runs.append(run_backend("SQLite", sqlite_url, args))
    url = os.environ.get("DATABASE_URL", "")
    if benchlib.is_postgres(url) and not args.sqlite_only:
        with benchlib.throwaway_postgres(url, "babel_dash") as postgres_url:
            runs.append(run_backend("PostgreSQL", postgres_url, args))

    section = markdown(runs, args)
    print(section)
    if not args.no_write:
        benchlib.write_section("## Dashboard", section)


if __name__ == "__main__":
    main()
