#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

# Commands that only read the code and write files never sign anything: they run in a fresh
# checkout without a SECRET_KEY (as the Dockerfile's collectstatic does). Everything else —
# runserver, migrate, check, shell — still refuses to start without one when DEBUG is off.
KEYLESS_COMMANDS = {"makemigrations", "makemessages", "compilemessages", "collectstatic"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "babel_pug.settings")
    if len(sys.argv) > 1 and sys.argv[1] in KEYLESS_COMMANDS:
        os.environ.setdefault("SECRET_KEY", "keyless-command-signs-nothing")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
