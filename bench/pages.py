"""Time CouncilFlow's pages on whatever database DATABASE_URL (or .env) points at, and count
their queries. Run after `manage.py seed_demo` (or a larger data set):

    .venv/bin/python bench/pages.py [--user teamleader] [--repeat 10]

Prints, for each page, the number of SQL queries and the median and worst time of --repeat
requests through Django's test client (in-process: no web server, no network).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councilflow.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cases.models import Case  # noqa: E402
from demand.models import Contact  # noqa: E402

PAGES = [
    "/demand/",
    "/demand/contacts/?demand=failure",
    "/demand/failure-over-time/",
    "/demand/failure-pareto/",
    "/demand/predictability/",
    "/demand/predictability/?per=week",
    "/cases/mine/",
    "/cases/",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="teamleader")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(get_user_model().objects.get(username=args.user))
    vendor = connection.vendor
    print(
        f"{Contact.objects.count():,} contacts, {Case.objects.count():,} cases on {vendor}; "
        f"{args.repeat} requests a page as {args.user}"
    )
    print(f"{'page':45} {'queries':>7} {'median ms':>10} {'worst ms':>9}")
    for url in PAGES:
        reset_queries()  # with DEBUG on, earlier queries are in the log too
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{url:45} {len(queries):>7} {statistics.median(times):>10.1f} {max(times):>9.1f}")


if __name__ == "__main__":
    main()
