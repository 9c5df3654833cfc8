"""Idle sign-out: django-session-timeout notes the time of the last request in the session (at
most once a minute) and signs out a session idle for longer than SESSION_EXPIRE_SECONDS."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_session_timeout.middleware import SESSION_TIMEOUT_KEY


@receiver(user_logged_in, dispatch_uid="accounts.start_idle_clock")
def start_idle_clock(sender, request, user, **kwargs) -> None:
    """Start the clock at sign-in, so the session is written then rather than on the first
    page after it."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_TIMEOUT_KEY] = time.time()
