"""Page-number pagination for every API list: ``{"count", "next", "previous", "results"}``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """50 items per page by default; ``page_size`` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_query_description = _("Page number (1 = first page).")
    page_size_query_description = _("Number of items per page (at most 500).")
    invalid_page_message = _("Page not found.")
