"""A real OpenID Connect provider on loopback for the single sign-on tests: oidc-provider-mock
(authlib's authorization server behind Flask, served by uvicorn) started as its own process, as
a council's identity provider would be. Clients must register, so the client secret is
checked; people are put on it with their claims (groups included) before they sign in."""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote

TESS_SUB = "tess-sub"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(method: str, url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    return json.loads(text) if text else {}


@dataclass
class Provider:
    url: str

    @property
    def configuration(self) -> dict:
        return _request("GET", f"{self.url}/.well-known/openid-configuration")

    def register_client(self, redirect_uri: str) -> tuple[str, str]:
        client = _request(
            "POST",
            f"{self.url}/oauth2/clients",
            {"redirect_uris": [redirect_uri], "token_endpoint_auth_method": "client_secret_post"},
        )
        return client["client_id"], client["client_secret"]

    def add_person(self, sub: str, **claims) -> None:
        _request("PUT", f"{self.url}/users/{quote(sub, safe='')}", claims)

    def configure(self, settings, *, callback: str, role_groups: dict) -> None:
        """Register CouncilFlow with the provider and set CouncilFlow's OIDC settings for it
        (pytest-django's `settings`), as a council would from the environment."""
        client_id, client_secret = self.register_client(callback)
        found = self.configuration
        settings.OIDC_RP_CLIENT_ID = client_id
        settings.OIDC_RP_CLIENT_SECRET = client_secret
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = found["authorization_endpoint"]
        settings.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
        settings.OIDC_OP_USER_ENDPOINT = found["userinfo_endpoint"]
        settings.OIDC_OP_JWKS_ENDPOINT = found["jwks_uri"]
        settings.OIDC_ROLE_GROUPS = role_groups
        settings.OIDC_PROVIDER_NAME = "your Borsetshire account"
        # This provider publishes one key and names none in its tokens' headers; the tokens'
        # signatures are still checked against that key.
        settings.OIDC_VERIFY_KID = False

    def add_tess(self, *groups: str) -> None:
        """Tess Leader, at the council's provider, in these groups."""
        self.add_person(
            TESS_SUB,
            preferred_username="tess",
            given_name="Tess",
            family_name="Leader",
            email="tess@borsetshire.example",
            groups=list(groups),
        )


@contextmanager
def running_provider() -> Iterator[Provider]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oidc_provider_mock",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--require-registration",
            "--require-nonce",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    provider = Provider(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert provider.configuration["issuer"]
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "The OpenID Connect provider did not start: "
                        + process.stderr.read().decode(errors="replace")[-2000:]
                    ) from None
                time.sleep(0.1)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
