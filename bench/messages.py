"""How long a message to a citizen takes from Save to the mail server, under the real worker.

Starts an SMTP server (aiosmtpd) on loopback, a database (a fresh SQLite file, as `make run`
uses, unless --database-url names another, e.g. a throwaway PostgreSQL), and `manage.py
db_worker` as its own process, exactly as `make run` starts it; then, N times, a front-office
worker presses "Publish update" with "Send it to them" ticked (a POST through Django's test
client to the real view: the update, the message and its task saved in one transaction), and
the time from just before that POST to the moment the SMTP server has the whole message is
taken. Prints the median, 95th percentile and largest, and the time the Save itself took.

    .venv/bin/python bench/messages.py --messages 40 --interval 1
    .venv/bin/python bench/messages.py --messages 40 --interval 1 --database-url postgres://...
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.messaging.servers import SMTPServer, free_port  # noqa: E402


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--interval", type=float, default=1.0, help="db_worker --interval")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    smtp = SMTPServer(port=free_port()).start()
    folder = tempfile.mkdtemp(prefix="councilflow-bench-messages-")
    env = {
        **os.environ,
        "DEBUG": "true",
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
        "DATABASE_URL": args.database_url or f"sqlite:///{folder}/bench.sqlite3",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "LOG_FORMAT": "plain",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "councilflow.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from cases.models import Case, Citizen
    from tests.factories import CaseFactory, CitizenFactory, FrontOfficeFactory

    call_command("migrate", verbosity=0)
    owner = FrontOfficeFactory(username=f"bench-{time.time_ns()}")
    client = Client()
    client.force_login(owner)
    cases = [
        CaseFactory(
            owner=owner,
            citizen=CitizenFactory(email=f"c{n}@example.org", updates_by=Citizen.UpdatesBy.EMAIL),
        )
        for n in range(args.messages)
    ]
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/python"),
            "manage.py",
            "db_worker",
            "--interval",
            str(args.interval),
            "--no-reload",
            "--no-startup-delay",
            "--verbosity",
            "0",
        ],
        cwd=ROOT,
        env=env,
    )
    time.sleep(3)  # the worker started and polling
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    totals, saves = [], []
    pace = random.Random(15)
    try:
        for case in cases:
            case = Case.objects.get(pk=case.pk)
            before = len(smtp.received)
            started = time.time()
            response = client.post(
                reverse("messaging:update_citizen", args=[case.reference]),
                {
                    "next_step": "A crew will collect your bin.",
                    "next_step_on": day,
                    "status": "action_scheduled",
                    "version": case.version,
                    "send": "on",
                },
            )
            saves.append(time.time() - started)
            assert response.status_code == 302, response.status_code
            arrived = smtp.wait_for(before + 1, seconds=30)
            assert len(arrived) == before + 1, "the message did not arrive within 30 s"
            totals.append(arrived[-1].at - started)
            # A random pause, so each Save falls at a random moment of the worker's polling
            # (one right after another would always land just after it went to sleep).
            time.sleep(pace.uniform(0, 2 * args.interval))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        smtp.stop()
    ms = [value * 1000 for value in totals]
    print(
        f"{connection.vendor}, db_worker --interval {args.interval:g}, {len(ms)} messages: "
        f"Save to SMTP median {statistics.median(ms):.0f} ms, p95 {_percentile(ms, 0.95):.0f} "
        f"ms, max {max(ms):.0f} ms, min {min(ms):.0f} ms; the Save itself (the POST) median "
        f"{statistics.median(saves) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
