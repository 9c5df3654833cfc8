"""CSV downloads, streamed: rows are written as they are read, so a million never sit in
memory."""

import csv
import itertools
from collections.abc import Iterable, Sequence

from django import forms
from django.http import HttpResponse, StreamingHttpResponse

ROWS_PER_CHUNK = 500
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text that starts like a formula, prefixed with an apostrophe, so that a spreadsheet shows
    it as text instead of running it. Citizens' words and every name an administrator typed
    (services, demand types, failure categories) reach exports, so every text cell goes through
    this; numbers stay numbers."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _safe_cell(value):
    return spreadsheet_safe(value) if isinstance(value, str) else value


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv rows."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    filename: str,
    for_spreadsheets: bool = False,
) -> StreamingHttpResponse:
    """A streamed CSV download. `for_spreadsheets` starts it with a byte order mark, so that
    spreadsheet programs read the citizens' words as UTF-8. Every text cell, the header's too,
    is made spreadsheet-safe."""
    writer = csv.writer(_Echo())

    def lines():
        yield ("\ufeff" if for_spreadsheets else "") + writer.writerow(map(_safe_cell, header))
        # Sent in batches of rows: a write per row costs more than the row itself.
        batch: list[str] = []
        for row in rows:
            batch.append(writer.writerow(map(_safe_cell, row)))
            if len(batch) == ROWS_PER_CHUNK:
                yield "".join(batch)
                batch = []
        if batch:
            yield "".join(batch)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_field(text: str) -> str:
    """One text field as the csv module writes it (quoted only when it holds a comma, a quote or
    a line break), made spreadsheet-safe, for exports that join their fields themselves."""
    text = spreadsheet_safe(text)
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_lines_response(
    header: Sequence[str], chunks: Iterable[str], *, filename: str
) -> StreamingHttpResponse:
    """A streamed CSV download of rows already written as lines ending in CRLF, in chunks (for
    a large export formatted column by column, see analysis/views/capability.py); every field
    must already be a plain word or number, or a text written with csv_field."""
    head = ",".join(map(csv_field, header)) + "\r\n"
    response = StreamingHttpResponse(
        itertools.chain([head], chunks), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def bad_filters(form: forms.Form) -> HttpResponse:
    """A 400 for an export asked for with filters that do not make sense, saying which."""
    problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
    return HttpResponse(
        f"Bad filters: {problems}", status=400, content_type="text/plain; charset=utf-8"
    )
