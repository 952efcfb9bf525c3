"""The Celery app: background jobs and the beat schedule, configured from Django's settings.

Settings are the ``CELERY_*`` names in ``babel_pug/settings.py``; tasks live in each app's
``tasks.py``. Without a broker (no ``CELERY_BROKER_URL`` nor ``REDIS_URL``) every job runs inline
in the process that queues it, so ``make run`` and the tests need no worker.

Start a worker and the scheduler next to the web process (README "Workers")::

    celery -A babel_pug worker -l INFO
    celery -A babel_pug beat -l INFO
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "babel_pug.settings")

app = Celery("babel_pug")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
