"""Progress codes: what a citizen types, with their case's reference, to see its progress page.

Eight characters of Crockford's base32 (no I, L, O or U, so nothing is misheard or misread over
the phone), shown as two groups of four: 40 random bits. Guessing one for a given reference
takes about 550 billion tries on average; the progress page allows each address a handful of
wrong tries every few minutes (progress/throttle.py), so a code is safe to read out and to
put in a link."""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
# Crockford's decoding: the letters people mistake for digits are read as those digits.
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str) -> str:
    """'K7PQ4XMA' -> 'K7PQ-4XMA', as it is read out and printed."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code


def normalised(typed: str) -> str:
    """What someone typed, as the stored code would be: capitals, without spaces or hyphens,
    misread letters taken as the digits they look like. "" when it cannot be a code."""
    compact = "".join((typed or "").split()).replace("-", "").upper().translate(_READ_AS)
    if len(compact) != LENGTH or any(char not in ALPHABET for char in compact):
        return ""
    return compact
