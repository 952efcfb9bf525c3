"""WSGI entry point (gunicorn babel_pug.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "babel_pug.settings")
application = get_wsgi_application()
