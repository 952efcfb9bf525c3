"""The babel_pug project package. Importing it loads the Celery app, so that every
``@shared_task`` binds to it (see ``babel_pug/celery.py``)."""

from babel_pug.celery import app as celery_app

__all__ = ("celery_app",)
