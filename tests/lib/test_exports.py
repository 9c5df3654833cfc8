"""Exports are safe to open in a spreadsheet: no text cell can run as a formula."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from demand.models import DemandType, FailureCategory
from lib.exports import FORMULA_STARTS, spreadsheet_safe
from tests.factories import CaseFactory, ContactFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+44 7700 900123", "'+44 7700 900123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("My bin = full", "My bin = full"),
        ("", ""),
    ],
)
def test_text_that_starts_like_a_formula_is_prefixed(text, safe):
    assert spreadsheet_safe(text) == safe


def _cells(response) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_every_text_cell_of_every_export_is_defused(tl_client):
    """Names an administrator typed reach the exports as well as the citizens' words."""
    service = ServiceTypeFactory(name="=cmd|' /C calc'!A0", slug="formula")
    demand_type = DemandType.objects.create(service_type=service, name="+SUM(1,2)")
    category = FailureCategory.objects.create(name="@HYPERLINK(x)", slug="at-hyperlink")
    now = timezone.now()
    case = CaseFactory(service_type=service, opened_at=now - timezone.timedelta(days=2))
    ContactFactory(case=case, demand_type=demand_type, citizen_words="-1+1")
    ContactFactory(case=case, demand="failure", failure_category=category, prevention_note="=1+1")
    CaseFactory(service_type=service, closed=True, opened_at=now - timezone.timedelta(days=3))
    day = timezone.localdate()
    window = {"from": (day - timezone.timedelta(days=30)).isoformat(), "to": day.isoformat()}

    exports = [
        tl_client.get(reverse("analysis:contacts_csv"), window),
        tl_client.get(reverse("analysis:capability_csv", kwargs={"service": "formula"}), window),
        tl_client.get(reverse("analysis:capability_csv", kwargs={"service": "all"}), window),
    ]

    assert [export.status_code for export in exports] == [200, 200, 200]
    every_export = [_cells(export) for export in exports]
    for cells in every_export:
        texts = [cell for cell in cells if not _is_number(cell)]
        assert "'=cmd|' /C calc'!A0" in cells
        assert [cell for cell in texts if cell.startswith(FORMULA_STARTS)] == []
    assert {"'+SUM(1,2)", "'@HYPERLINK(x)", "'-1+1", "'=1+1"} <= set(every_export[0])
