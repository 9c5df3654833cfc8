"""Reading identifiers from a request's parameters, where anything at all may arrive."""

import re

ID = re.compile(r"[0-9]{1,18}")  # fits a 64-bit primary key; "²" is a digit to isdigit()
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")


def id_param(raw: str | None) -> int | None:
    """A primary key, or None for anything that cannot be one."""
    return int(raw) if raw and ID.fullmatch(raw) else None


def slug_param(raw: str | None) -> str | None:
    """A slug, or None for anything that cannot be one (so it never reaches the database)."""
    return raw if raw and SLUG.fullmatch(raw) else None
