"""The study pages: demand (views.demand), capability (views.capability), work in progress and
flow (views.flow). Team leaders only; they read from the replica when there is one."""

from collections.abc import Callable

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from lib.routers import reads_from_replica


def study_page(permission: str) -> Callable[[Callable[..., HttpResponse]], Callable]:
    """A study page: GET only, for those with the permission (a 403 for anyone else signed in),
    its reads from the replica."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        return require_GET(
            permission_required(permission, raise_exception=True)(reads_from_replica(view))
        )

    return decorate
