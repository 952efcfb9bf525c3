"""pytest plugin loaded with ``-p tests.env`` before pytest-django reads the settings.

The suite runs with production-like settings (DEBUG off), which require a SECRET_KEY;
this gives the tests one without weakening the start-up check for real deployments.
"""

import os

# Production-like: a developer's .env (DEBUG=true) must not leak into the suite.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The test client speaks plain HTTP; static files come from the finders, not a manifest.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("TESTING_STATIC", "true")
