import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from tests.messaging.servers import FakeNotify, SMTPServer, free_port, point_email_at


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback, and Django's email pointed at it."""
    server = SMTPServer(port=free_port()).start()
    point_email_at(settings, server)
    yield server
    server.stop()


@pytest.fixture
def notify(settings):
    """A fake GOV.UK Notify on loopback, and CouncilFlow's Notify settings pointed at it."""
    fake = FakeNotify().start()
    settings.NOTIFY_API_KEY = fake.api_key
    settings.NOTIFY_BASE_URL = fake.url
    settings.NOTIFY_EMAIL_TEMPLATE_ID = "email-template"
    settings.NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _quick_retries(settings):
    settings.MESSAGE_RETRY_DELAYS = [0, 0]
    settings.PUBLIC_URL = "https://councilflow.example.gov.uk"
    settings.COUNCIL_NAME = "Leeds City Council"


def run_worker(limit: int = 50) -> int:
    """What `manage.py db_worker --batch` does, task by task, with the worker's own code, inside
    the test's transaction (the command itself closes connections between tasks, which would
    end that transaction; tests that run the command itself are transactional)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit and (task := DBTaskResult.objects.ready().get_locked()) is not None:
        task.claim(worker.worker_id)
        worker.run_task(task)
        ran += 1
    return ran
