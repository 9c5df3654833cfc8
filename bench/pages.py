"""Time CouncilFlow's pages on whatever database DATABASE_URL (or .env) points at, and count
their queries. Run after `manage.py seed_demo` (or a larger data set, such as bench/generate.py's
million contacts, with --user leader01 --clerk staff014):

    .venv/bin/python bench/pages.py [--user teamleader] [--clerk frontoffice] [--repeat 10]

Every page here has a test asserting that its number of queries does not grow with the data;
running this on the demo data and on a million contacts shows the same numbers at both sizes.

Prints, for each page, the number of SQL queries and the median and worst time of --repeat
requests through Django's test client (in-process: no web server, no network).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "councilflow.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cases.models import Case  # noqa: E402
from demand.models import Contact  # noqa: E402

PAGES = [  # (path, who asks: the team leader or the front-office clerk)
    ("/demand/", "user"),
    ("/demand/contacts/?demand=failure", "user"),
    ("/demand/failure-over-time/", "user"),
    ("/demand/failure-pareto/", "user"),
    ("/demand/predictability/", "user"),
    ("/demand/predictability/?per=week", "user"),
    ("/capability/", "user"),
    ("/capability/{service}/", "user"),
    ("/capability/all/?view=daily", "user"),
    ("/capability/work-in-progress/", "user"),
    ("/capability/flow/", "user"),
    ("/cases/mine/", "clerk"),
    ("/cases/", "clerk"),
    ("/cases/?q={name}", "clerk"),
    ("/cases/{reference}/", "clerk"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="teamleader", help="a team leader")
    parser.add_argument("--clerk", default="frontoffice", help="a front-office member")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    clients = {}
    for role in ("user", "clerk"):
        clients[role] = Client()
        clients[role].force_login(get_user_model().objects.get(username=getattr(args, role)))
    busiest = (
        Case.objects.values("service_type__slug").annotate(n=Count("pk")).order_by("-n").first()
    )
    case = Case.objects.filter(citizen__isnull=False).exclude(citizen__name="").order_by("pk")
    case = case.select_related("citizen").first()
    fill = {
        "service": busiest["service_type__slug"],
        "name": quote(case.citizen.name),
        "reference": case.reference,
    }
    vendor = connection.vendor
    print(
        f"{Contact.objects.count():,} contacts, {Case.objects.count():,} cases on {vendor}; "
        f"{args.repeat} requests a page as {args.user} (team leader) or {args.clerk}"
    )
    print(f"{'page':45} {'queries':>7} {'median ms':>10} {'worst ms':>9}")
    for pattern, role in PAGES:
        url = pattern.format(**fill)
        client = clients[role]
        reset_queries()  # with DEBUG on, earlier queries are in the log too
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        median, worst = statistics.median(times), max(times)
        print(f"{pattern:45} {len(queries):>7} {median:>10.1f} {worst:>9.1f}")


if __name__ == "__main__":
    main()
