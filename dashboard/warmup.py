"""Fill the dashboard's cache after a (re)start, so that the first visitor does not pay for it.

A restart empties the local-memory cache and this process's catalogs: the first dashboard
request would compute every region of the page. :func:`warm` does that work up front — every
catalog, and the readiness and trend of every kab/kota for the year the dashboard and the public
page open on — and is run in each gunicorn worker as it starts (``babel_pug/gunicorn.conf.py``)
and by ``manage.py warm_cache`` (useful with a shared Redis cache after a deploy).
"""

from __future__ import annotations

import logging
import time

from django.db import connections

from dashboard.caching import (
    cached_readiness,
    catalog_map,
    data_stamp,
    unit_stamps,
)
from dashboard.queries import cached_trend, choose_year, edition_years
from dashboard.readiness import PROGRAMS
from regions.models import Region

logger = logging.getLogger(__name__)


def warm() -> dict[str, object]:
    """Compute and cache what the dashboard and public page open on; returns what it did."""
    start = time.perf_counter()
    stamp = data_stamp()
    years = edition_years()
    catalogs = catalog_map(PROGRAMS, years, stamp.catalog)
    regions_qs = Region.objects.exclude(kind=Region.Kind.PROVINSI)
    regions = list(regions_qs.order_by("code"))
    ids = [region.pk for region in regions]
    units = unit_stamps(ids)
    warmed = []
    for verified_only in (False, True):
        year = choose_year(None, regions_qs, verified_only=verified_only).year
        if year is None or not regions:
            continue
        cached_readiness(stamp, regions, [year], verified_only=verified_only, units=units)
        cached_trend(stamp, ids, verified_only=verified_only, units=units)
        warmed.append((year, verified_only))
    return {
        "catalogs": len(catalogs),
        "regions": len(regions),
        "years": warmed,
        "seconds": round(time.perf_counter() - start, 2),
    }


def warm_quietly() -> None:
    """:func:`warm` for a starting worker: a failure is logged, never stops the worker."""
    try:
        done = warm()
        logger.info("dashboard cache warmed: %s", done)
    except Exception:  # noqa: BLE001 - the worker must start even when the database is not ready
        logger.exception("dashboard cache not warmed")
    finally:
        connections.close_all()
