"""Template context for every page: the product and office names (settings, no database)."""

from django.conf import settings


def site(request):
    return {"product_name": settings.PRODUCT_NAME, "office_name": settings.OFFICE_NAME}
