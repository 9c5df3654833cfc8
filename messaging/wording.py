"""The words of messages to citizens: ((placeholders)) as GOV.UK Notify writes them, filled from
the update and its case only. Plain Python: no template language an administrator could use to
reach anything else, and nothing about the citizen but what they are being told."""

import re

PLACEHOLDER = re.compile(r"\(\(\s*([a-z_]+)\s*\)\)")
# What each placeholder is filled with (shown to administrators beside the template).
PLACEHOLDERS = {
    "reference": "the case's reference, e.g. CF-000123",
    "service": "the service, e.g. Missed bin collection",
    "status": "how things stand, e.g. Work is booked",
    "update": "the update in the owner's words, with what happens next and when",
    "progress_link": "the link to the citizen's progress page",
    "progress_code": "the code for the progress page, e.g. K7PQ-4XMA",
    "council": "the council's name",
}

DEFAULTS = {
    # (kind, channel): (subject, body)
    ("update", "email"): (
        "((reference)): ((status))",
        "Your request ((reference)) (((service)))\n\n"
        "((update))\n\n"
        "See how your request stands at any time, without calling:\n((progress_link))\n\n"
        "To stop these emails, use the link above.\n\n((council))",
    ),
    ("update", "text"): (
        "",
        "((council)), ((reference)): ((update)) Progress: ((progress_link))",
    ),
    ("closure", "email"): (
        "((reference)): ((status))",
        "Your request ((reference)) (((service))) is closed.\n\n"
        "((update))\n\n"
        "If something is still not right, call us and give your reference, ((reference)).\n"
        "Your progress page: ((progress_link))\n\n((council))",
    ),
    ("closure", "text"): (
        "",
        "((council)), ((reference)) is closed: ((update)) Not right? Call us with your reference.",
    ),
}


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def fill(text: str, values: dict[str, str]) -> str:
    """Each ((name)) replaced by its value; an unknown one is left as written (a template is
    checked for those when it is saved)."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)
