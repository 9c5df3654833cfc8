"""Time any of CouncilFlow's URLs in-process (Django's test client, DEBUG off) against the
database DATABASE_URL (or .env) points at: for A/B measurements of one change, run it on the code
before and after.

    .venv/bin/python bench/timeurls.py --user staff014 --repeat 30 "/cases/?q={name}"

{name} and {reference} are filled from the first case with a named citizen. Prints each URL's
first request (for a capability chart: its first drawing in this process), its size, and the
median and fastest of --repeat requests after it.
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
from django.test import Client  # noqa: E402

from cases.models import Case  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", required=True, help="who signs in")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    client = Client()
    client.force_login(get_user_model().objects.get(username=args.user))
    case = (
        Case.objects.filter(citizen__isnull=False)
        .exclude(citizen__name="")
        .order_by("pk")
        .select_related("citizen")
        .first()
    )
    for pattern in args.urls:
        url = pattern.format(name=quote(case.citizen.name), reference=case.reference)
        started = time.perf_counter()
        first = client.get(url)
        first_ms = (time.perf_counter() - started) * 1000
        body = first.getvalue() if getattr(first, "streaming", False) else first.content
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"{url[:60]:60} first {first_ms:7.1f} ms  {len(body):>9,} bytes  "
            f"median {statistics.median(times):7.1f} ms  fastest {min(times):7.1f} ms"
        )


if __name__ == "__main__":
    main()
