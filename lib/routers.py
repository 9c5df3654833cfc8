"""Scale-out: with DATABASE_REPLICA_URL set, the pages that study demand, capability and flow
read from a PostgreSQL replica, so a team leader's chart never competes with the front office
for the primary. Everything else, and every write, uses the primary."""

from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if settings.USE_REPLICA and _reading_from_replica.get():
            return REPLICA
        return None  # the primary

    def db_for_write(self, model, **hints) -> str | None:
        return None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return db != REPLICA  # a replica is migrated by replication, never directly


def _stream_from_replica(content: Iterator) -> Iterator:
    token = _reading_from_replica.set(True)
    try:
        yield from content
    finally:
        _reading_from_replica.reset(token)


def reads_from_replica(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view's reads, and those of a streamed response's rows, go to the replica."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = _reading_from_replica.set(True)
        try:
            response = view(request, *args, **kwargs)
        finally:
            _reading_from_replica.reset(token)
        if getattr(response, "streaming", False):
            response.streaming_content = _stream_from_replica(iter(response.streaming_content))
        return response

    return wrapper
