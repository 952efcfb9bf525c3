"""pytest plugin loaded with ``-p tests.env`` before pytest-django reads the settings.

The suite runs with production-like settings (DEBUG off), which require a SECRET_KEY;
this gives the tests one without weakening the start-up check for real deployments.
"""

import atexit
import os
import shutil
import tempfile

# Production-like: a developer's .env (DEBUG=true) must not leak into the suite.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The test client speaks plain HTTP; static files come from the finders, not a manifest.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("TESTING_STATIC", "true")

# pytest-xdist starts this plugin again in every worker (gw0, gw1, …) with the controller's
# environment, so what must differ per process is set unconditionally, not with setdefault.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

# Uploaded files go to a private folder per process: never into the developer's media/, and two
# workers never see (or clean up) each other's files.
MEDIA_ROOT = tempfile.mkdtemp(prefix=f"babel_pug_test_media_{WORKER}_")
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
os.environ["MEDIA_ROOT"] = MEDIA_ROOT

# Cache and background jobs stay inside the process: a shared Redis (from a developer's .env) would
# let one worker's cache.clear() wipe another's entries, and jobs run eagerly without a worker.
os.environ["REDIS_URL"] = ""
os.environ["CELERY_BROKER_URL"] = ""
