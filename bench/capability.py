"""Time and peak memory of the capability chart page and its CSV at scale.

    DATABASE_URL=postgres://... .venv/bin/python bench/capability.py --cases 100000

Makes (once) a service type `bench-capability` with that many closed cases spread over the
last 12 months, then requests the chart page (every case), the daily-mean view and the CSV
through Django's test client, in-process, and prints for each: wall time, number of queries,
response size, and the peak of Python memory allocated while serving it (tracemalloc), plus
the process's peak resident memory. Run it on PostgreSQL: that is what councils run.
"""

import argparse
import os
import random
import resource
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councilflow.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts import roles  # noqa: E402
from cases.models import Case, ServiceType  # noqa: E402

SLUG = "bench-capability"
BATCH = 5000


def make_cases(count: int, owner) -> None:
    service, _ = ServiceType.objects.get_or_create(
        slug=SLUG, defaults={"name": "Benchmark service", "is_active": False}
    )
    have = Case.objects.filter(service_type=service).count()
    if have >= count:
        return
    rng = random.Random(count)
    now = timezone.now()
    print(f"making {count - have:,} closed cases...", flush=True)
    made = have
    while made < count:
        batch = []
        for _ in range(min(BATCH, count - made)):
            closed_at = now - timedelta(seconds=rng.uniform(60, 360 * 86400))
            days = rng.lognormvariate(1.8, 0.7)
            batch.append(
                Case(
                    service_type=service,
                    owner=owner,
                    status=Case.Status.CLOSED,
                    opened_at=closed_at - timedelta(days=days),
                    closed_at=closed_at,
                    resolution="Done",
                )
            )
        with transaction.atomic():
            Case.objects.bulk_create(batch)
        made += len(batch)
        print(f"  {made:,}/{count:,}", flush=True)


def measure(client: Client, url: str) -> dict:
    """Wall time of a plain request; then the same request again under tracemalloc (which
    slows Python several times over) for the peak of memory allocated while serving it."""
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    tracemalloc.start()
    response = client.get(url)
    b"".join(response.streaming_content) if response.streaming else response.content
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": seconds, "queries": len(queries), "bytes": len(body), "peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False  # as in production: no query log growing in memory
    user, _ = get_user_model().objects.get_or_create(username="bench-leader")
    user.groups.add(Group.objects.get(name=roles.TEAM_LEADER))
    make_cases(args.cases, user)
    client = Client()
    client.force_login(user)
    period = f"from={(timezone.localdate() - timedelta(days=365)).isoformat()}"
    print(
        f"{Case.objects.filter(service_type__slug=SLUG).count():,} closed cases, "
        f"{connection.vendor}, Python {sys.version.split()[0]}"
    )
    print(f"{'request':58} {'seconds':>8} {'queries':>7} {'MB out':>7} {'peak MB':>8}")
    for url in [
        f"/capability/{SLUG}/?{period}",
        f"/capability/{SLUG}/?{period}&view=daily",
        f"/capability/{SLUG}.csv?{period}",
    ]:
        measure(client, url)  # warm up: templates, statement caches, database buffers
        result = measure(client, url)
        print(
            f"{url:58} {result['seconds']:>8.2f} {result['queries']:>7} "
            f"{result['bytes'] / 1e6:>7.1f} {result['peak'] / 1e6:>8.1f}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident memory: {rss:.0f} MB")


if __name__ == "__main__":
    main()
