"""gunicorn settings of the container (``gunicorn -c babel_pug/gunicorn.conf.py``).

Workers keep no readiness of their own: it is stored in the database (``dashboard.store``), so a
worker needs no warm-up and every worker sees a save on its next request.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 60
accesslog = "-"
