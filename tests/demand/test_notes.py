"""Prevention notes grouped: the same note however written counts once, with how often it was
written; close notes grouped, different ones kept apart; counted by the database."""

from datetime import timedelta

import pytest

from demand.models import Contact
from demand.notes import group_notes, normalised, note_groups, note_groups_by_category
from tests.factories import CaseFactory, ContactFactory, failure_category


def test_case_spacing_and_punctuation_do_not_make_another_note():
    assert normalised("  Tell them what happens NEXT, and when! ") == (
        "tell them what happens next and when"
    )
    assert normalised("Tell them what happens next & when.") == normalised(
        "tell them what happens next and when"
    )
    assert normalised("...!?") == ""


def test_the_same_note_however_written_counts_once_with_every_way_it_was_written():
    groups = group_notes(
        [
            ("Tell them what happens next and when", 30),
            ("tell them what happens next and when.", 8),
            ("TELL THEM  what happens next, and when", 2),
            ("Book the visit with the tenant", 5),
        ]
    )
    assert [(g.text, g.count) for g in groups] == [
        ("Tell them what happens next and when", 40),
        ("Book the visit with the tenant", 5),
    ]
    assert groups[0].variants[0] == ("Tell them what happens next and when", 30)
    assert len(groups[0].texts) == 3
    assert groups[0].also_written == [
        ("tell them what happens next and when.", 8),
        ("TELL THEM  what happens next, and when", 2),
    ]


def test_close_notes_are_grouped_under_the_most_frequent():
    groups = group_notes(
        [
            ("Let the tenant choose the appointment time at the first contact", 3),
            ("let the tenant chose the apointment time at first contact", 1),  # typos
            ("Tell citizen the return date at first call", 2),
            ("Tell the citizen the return date at the first call", 6),
        ]
    )
    assert [(g.text, g.count) for g in groups] == [
        ("Tell the citizen the return date at the first call", 8),
        ("Let the tenant choose the appointment time at the first contact", 4),
    ]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Ring before a visit", "Ring after a visit"),
        ("Give the citizen a date", "Give the citizen a date and ring them if it changes"),
        ("One collection calendar", "One collection calendar: take the old leaflet off the web"),
    ],
)
def test_different_notes_stay_apart(one, other):
    assert len(group_notes([(one, 2), (other, 1)])) == 2


def test_blank_notes_are_not_notes_and_no_notes_is_no_groups():
    assert group_notes([("  ", 3), ("...", 1)]) == []
    assert group_notes([]) == []


def test_groups_of_equal_count_are_in_a_stable_order():
    pairs = [("Beta note here", 2), ("Alpha note there", 2)]
    assert [g.text for g in group_notes(pairs)] == [g.text for g in group_notes(pairs[::-1])]


@pytest.mark.django_db
def test_notes_are_counted_per_failure_category_in_one_query(django_assert_num_queries):
    case = CaseFactory()
    chasing, not_done = failure_category("progress-chasing"), failure_category("not-done")
    for note, category in [
        ("Give them a date", chasing),
        ("give them a date.", chasing),
        ("Give them a date", not_done),
        ("", chasing),
    ]:
        ContactFactory(
            case=case,
            demand=Contact.Demand.FAILURE,
            failure_category=category,
            prevention_note=note,
            received_at=case.opened_at + timedelta(hours=1),
        )
    ContactFactory(case=case, prevention_note="")  # value demand: no note, no category

    with django_assert_num_queries(1):
        grouped = note_groups_by_category(Contact.objects.all())

    assert [(g.text, g.count) for g in grouped[chasing.pk]] == [("Give them a date", 2)]
    assert [(g.text, g.count) for g in grouped[not_done.pk]] == [("Give them a date", 1)]
    assert [(g.count) for g in note_groups(Contact.objects.all())] == [3]
