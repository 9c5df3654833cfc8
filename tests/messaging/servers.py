"""Real servers on loopback for the messaging tests: an SMTP server (aiosmtpd) and a fake GOV.UK
Notify API that checks each request's JSON Web Token as Notify does. Never the internet."""

import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from aiosmtpd.controller import Controller


def point_email_at(settings, server: "SMTPServer") -> None:
    """Django's email (pytest-django's `settings`) sent to this server, over plain SMTP."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    to: list[str]
    subject: str
    body: str
    message_id: str
    at: float


@dataclass
class SMTPServer:
    """Mail as it arrived: who to, subject, body, Message-ID, and when (time.time())."""

    port: int
    received: list[Received] = field(default_factory=list)
    controller: Controller | None = None
    # An SMTP reply to every recipient instead of accepting them, e.g. "550 No such mailbox".
    refuse_recipients_with: str = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipients_with:
            return self.refuse_recipients_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        email = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(
            Received(
                to=list(envelope.rcpt_tos),
                subject=str(email["Subject"]),
                body=email.get_content(),
                message_id=str(email["Message-ID"]),
                at=time.time(),
            )
        )
        return "250 Message accepted for delivery"

    def start(self) -> "SMTPServer":
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, seconds: float = 10) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


class FakeNotify:
    """POST /v2/notifications/email and /sms, answering as Notify does: 201 with an id, or the
    statuses queued in `answers` (one per request, then 201 again)."""

    def __init__(self):
        self.service_id = str(uuid.uuid4())
        self.secret = str(uuid.uuid4())
        self.api_key = f"councilflow_test-{self.service_id}-{self.secret}"
        self.requests: list[dict] = []
        self.answers: list[int] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    claims = jwt.decode(token, fake.secret, algorithms=["HS256"])
                    assert claims["iss"] == fake.service_id
                except Exception:
                    return self._answer(403, {"errors": [{"error": "AuthError"}]})
                fake.requests.append({"path": self.path, **body})
                status = fake.answers.pop(0) if fake.answers else 201
                if status != 201:
                    return self._answer(status, {"errors": [{"message": "Not now"}]})
                return self._answer(
                    201, {"id": str(uuid.uuid4()), "reference": body.get("reference")}
                )

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeNotify":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
