"""The demo's housing-repair redesign shows on "did it work?": an improvement signal in
end-to-end time against the baseline's lines carried forward (docs/method.md)."""

import io

import pytest
from django.core.management import call_command

from analysis import did_it_work, spc, verdicts
from demo.data import REDESIGNED_SERVICE

pytestmark = pytest.mark.django_db


def test_the_redesign_shows_an_improvement_in_end_to_end_time():
    # pytest-django runs with DEBUG off, where the command refuses without this flag.
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    change = did_it_work.change_with_conditions().get(service_type__slug=REDESIGNED_SERVICE)

    cases = did_it_work.cases_either_side(did_it_work.Window.of(change), change.service_type)
    time = did_it_work.end_to_end(did_it_work.Window.of(change), change.service_type, cases)

    assert time.outcome == verdicts.IMPROVEMENT
    assert time.words.startswith("A signal of improvement: ")
    verdict = time.verdict
    # The cases that started after the redesign, against the old system's lines: a good many
    # of them below its lower limit, and none above its upper limit.
    after = verdict.chart.labels[verdict.after.start :]
    assert after.count(spc.IMPROVEMENT) >= len(after) // 2
    assert spc.CONCERN not in after
    assert any(signal.rule == spc.OUTSIDE for signal in verdict.signals)
    assert max(verdict.after.values) < verdict.baseline.upper_limit
    # Cases started before the redesign and closed after it are set aside, and said so.
    assert cases.transition > 0
    assert any("set aside" in note for note in time.notes)
