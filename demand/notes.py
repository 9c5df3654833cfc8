"""What the notes say: the prevention notes staff write on failure demand ("could it have been
prevented, and how?"), grouped so that a team sees what is written again and again.

The same note however it is capitalised, spaced or punctuated is one note, counted as often
as it was written. Notes that are close but not the same ("tell them what happens next and
when", "tell them what happens next, & when.", "tell them wht happens next and when") are
grouped too, by rapidfuzz's similarity of the normalised texts; each group keeps every way it
was written, so nothing is hidden. The database counts each exact text once (GROUP BY); Python
only merges the distinct texts."""

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from rapidfuzz import fuzz, process

from demand.models import Contact

# How alike two normalised notes must be (rapidfuzz's ratio, 0 to 100) to be one group: a
# typo or a dropped word, not a different sentence ("ring before a visit" and "ring after a
# visit" score 81 and stay apart; tests/demand/test_notes.py has the cases).
CLOSE_ENOUGH = 88
PUNCTUATION = re.compile(r"[^\w\s]+")


def normalised(note: str) -> str:
    """A note as its group knows it: case, spacing and punctuation set aside."""
    text = unicodedata.normalize("NFKC", note).casefold().replace("&", " and ")
    return " ".join(PUNCTUATION.sub(" ", text).split())


@dataclass
class NoteGroup:
    """One note, however it was written: the words it is most often written in, how many times
    it was written in all, and each way it was written with its count, most frequent first."""

    key: str  # the normalised words of its most frequent way
    text: str
    count: int = 0
    variants: list[tuple[str, int]] = field(default_factory=list)

    @property
    def ref(self) -> str:
        """A short name for the group in a link ("record it as a system condition"), the same
        whenever the same notes are grouped again."""
        return hashlib.blake2b(self.key.encode(), digest_size=6).hexdigest()

    @property
    def texts(self) -> list[str]:
        """Every exact text in the group: what finds its contacts."""
        return [text for text, _ in self.variants]

    @property
    def also_written(self) -> list[tuple[str, int]]:
        """The other ways it was written (not its headline text)."""
        return [(text, count) for text, count in self.variants if text != self.text]


def group_notes(counts: Iterable[tuple[str, int]]) -> list[NoteGroup]:
    """Group (exact text, times written) pairs: the same normalised words first, then close
    ones, each joining the most frequent group it is close enough to. Most frequent first;
    blank notes are not notes."""
    same: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for text, count in counts:
        if key := normalised(text):
            same[key].append((text, count))
    exact = []
    for key, variants in same.items():
        variants.sort(key=lambda pair: (-pair[1], pair[0]))
        exact.append(NoteGroup(key=key, text=variants[0][0], variants=variants))
    for group in exact:
        group.count = sum(count for _, count in group.variants)
    exact.sort(key=lambda group: (-group.count, group.key))

    groups: list[NoteGroup] = []
    keys: list[str] = []
    for candidate in exact:
        match = process.extractOne(
            candidate.key, keys, scorer=fuzz.ratio, score_cutoff=CLOSE_ENOUGH
        )
        if match is None:
            groups.append(candidate)
            keys.append(candidate.key)
            continue
        group = groups[match[2]]
        group.count += candidate.count
        group.variants = sorted(
            [*group.variants, *candidate.variants], key=lambda pair: (-pair[1], pair[0])
        )
    groups.sort(key=lambda group: (-group.count, group.key))
    return groups


def note_groups_by_category(contacts: QuerySet[Contact]) -> dict[int, list[NoteGroup]]:
    """For each failure category (by id), the notes written on these contacts, grouped. One
    GROUP BY: each exact text is counted once by the database."""
    rows = (
        contacts.filter(demand=Contact.Demand.FAILURE)
        .exclude(prevention_note="")
        .values_list("failure_category_id", "prevention_note")
        .annotate(count=Count("*"))
        .order_by()
    )
    by_category: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for category_id, text, count in rows:
        by_category[category_id].append((text, count))
    return {category_id: group_notes(counts) for category_id, counts in by_category.items()}


def note_groups(contacts: QuerySet[Contact]) -> list[NoteGroup]:
    """The notes written on these contacts, grouped, whatever their kind."""
    rows = (
        contacts.exclude(prevention_note="")
        .values_list("prevention_note")
        .annotate(count=Count("*"))
        .order_by()
    )
    return group_notes(rows)
