"""gunicorn settings of the container (``gunicorn -c babel_pug/gunicorn.conf.py``).

Workers keep no readiness of their own: it is stored in the database (``dashboard.store``), so a
worker needs no warm-up and every worker sees a save on its next request.

Each worker moves what is alive once it has loaded the portal (modules, models: ~100,000 objects)
and what its first requests load lazily (URL patterns, views, templates: ~50,000 more) out of the
garbage collector's reach (``gc.freeze``). A full collection then walks only what requests left
behind: without it, the request that happens to trigger one waits 60–170 ms for it (measured
with ``scripts/bench_dashboard.py``, "GC max"). ``gc.freeze`` itself costs nothing (it moves
lists); what a frozen object refers to is freed as usual when nothing refers to it any more.
"""

import gc
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 60
accesslog = "-"


# the first requests of a worker import and compile what Django loads lazily
FREEZE_AFTER_REQUESTS = 50


def post_worker_init(worker) -> None:
    """Called by gunicorn in each worker after it loaded the WSGI application."""
    gc.collect()
    gc.freeze()


def post_request(worker, req, environ, resp) -> None:
    """Called by gunicorn in the worker after each request (``worker.nr`` counts them)."""
    if worker.nr <= FREEZE_AFTER_REQUESTS:
        gc.freeze()
