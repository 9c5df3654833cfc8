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

    # An improvement signal (the demo's own randomness may add a run that is not: a verdict
    # says both when it does).
    assert time.outcome in (verdicts.IMPROVEMENT, verdicts.BOTH)
    assert "improvement" in time.words.split(":")[0]
    verdict = time.verdict
    # The cases that started after the redesign, against the old system's lines: most of them
    # improvements, all of them below its centre line but for a few, none above its upper
    # limit.
    after = verdict.chart.labels[verdict.after.start :]
    assert after.count(spc.IMPROVEMENT) > len(after) // 2
    below = [value < verdict.baseline.centre_line for value in verdict.after.values]
    assert sum(below) >= 0.9 * len(below)
    assert max(verdict.after.values) < verdict.baseline.upper_limit
    # Cases started before the redesign and closed after it are set aside, and said so.
    assert cases.transition > 0
    assert any("set aside" in note for note in time.notes)
