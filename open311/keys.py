"""API keys: long random strings, shown once and stored only as a SHA-256 digest. A key has 256
bits of randomness, so a fast digest is safe (a slow password hash is for guessable secrets) and
looking a key up costs one indexed read per request."""

import hashlib
import secrets

PREFIX = "cf311_"
PREFIX_SHOWN = 12  # characters of a key kept to tell keys apart: "cf311_" and six more


def new_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def shown_part(key: str) -> str:
    return key[:PREFIX_SHOWN]
