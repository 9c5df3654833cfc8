"""Wrong tries at the progress page, counted per client address (lib/addresses.py, so behind a
load balancer the citizen's own address), in the cache. Past PROGRESS_TRIES_ALLOWED wrong tries
within PROGRESS_TRIES_WINDOW_MINUTES, every try from that address is refused until the window
has passed, right code or not, so nobody can go on guessing. The count is kept in each app
worker's memory (the default cache): with N workers an address may make up to N times as many
tries, which a 40-bit code still makes hopeless (messaging/codes.py)."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from lib.addresses import client_address


def _key(request: HttpRequest) -> str:
    return f"progress-tries:{client_address(request) or 'unknown'}"


def _window_seconds() -> int:
    return settings.PROGRESS_TRIES_WINDOW_MINUTES * 60


def is_blocked(request: HttpRequest) -> bool:
    return cache.get(_key(request), 0) >= settings.PROGRESS_TRIES_ALLOWED


def note_wrong_try(request: HttpRequest) -> None:
    key = _key(request)
    # The window starts at the first wrong try and is not extended by later ones.
    if cache.add(key, 1, _window_seconds()):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, _window_seconds())
