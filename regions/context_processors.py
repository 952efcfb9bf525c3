"""Template context: the current user's scope (lazy; costs a query only when used)."""

from django.utils.functional import SimpleLazyObject

from regions.scoping import scope_for


def scope(request):
    return {"scope": SimpleLazyObject(lambda: scope_for(request.user))}
