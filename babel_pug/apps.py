"""The project itself as an app: it owns the system checks about the deployment."""

from django.apps import AppConfig


class BabelPugConfig(AppConfig):
    name = "babel_pug"
    verbose_name = "babel_pug"

    def ready(self) -> None:
        from babel_pug import checks  # noqa: F401 (registers the checks)
