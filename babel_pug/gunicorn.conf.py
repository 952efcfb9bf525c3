"""gunicorn settings of the container (``gunicorn -c babel_pug/gunicorn.conf.py``).

Each worker keeps its own local-memory cache (unless ``REDIS_URL`` is set), so each warms the
dashboard's cache as it starts: the first visitor after a restart gets a cached page.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 60
accesslog = "-"


def post_worker_init(worker) -> None:
    from dashboard.warmup import warm_quietly

    warm_quietly()
