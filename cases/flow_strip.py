"""The flow strip on a case page: the case's timeline entries along its time, from the first
contact to closure (or now), each a value or waste marker (docs/method.md §2, steps)."""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cases.models import WASTE_STEP_KINDS, Case, TimelineEntry

STEP = TimelineEntry.Kind.STEP
HANDOFF = TimelineEntry.Kind.HANDOFF
StepKind = TimelineEntry.StepKind


@dataclass(frozen=True)
class MarkerKind:
    letter: str
    label: str
    shape: str  # "circle": a contact; "square": a step; "diamond": closed or reopened
    category: str  # "value", "waste" or "event": the marker's colour, and said in words
    counted_as: tuple[str, str]  # for the summary: one, many


MARKER_KINDS: dict[str, MarkerKind] = {
    "contact": MarkerKind("C", "Contact: value demand", "circle", "value", ("contact", "contacts")),
    "failure": MarkerKind(
        "F", "Contact: failure demand", "circle", "waste", ("contact", "contacts")
    ),
    StepKind.VALUE: MarkerKind("V", "Value work", "square", "value", ("value step", "value steps")),
    StepKind.HANDOFF: MarkerKind("H", "Hand-off", "square", "waste", ("hand-off", "hand-offs")),
    StepKind.WAIT: MarkerKind("W", "Wait", "square", "waste", ("wait", "waits")),
    StepKind.REWORK: MarkerKind("R", "Rework", "square", "waste", ("rework", "rework")),
    StepKind.CHECK: MarkerKind(
        "Ck", "Check (authorisation or inspection)", "square", "waste", ("check", "checks")
    ),
    StepKind.CHASE: MarkerKind(
        "Ch", "Chase (we chased someone)", "square", "waste", ("chase", "chases")
    ),
    TimelineEntry.Kind.CLOSED: MarkerKind(
        "✓", "Closed: the need was met", "diamond", "event", ("closure", "closures")
    ),
    TimelineEntry.Kind.REOPENED: MarkerKind(
        "↺", "Reopened", "diamond", "event", ("reopening", "reopenings")
    ),
}
# Markers closer than this (per cent of the strip) go to the other lane, so both stay readable.
LANE_GAP = 2.5


@dataclass(frozen=True)
class StripMarker:
    """One timeline entry on the strip: where (per cent of the way along), and what."""

    entry: TimelineEntry
    code: str  # a key of MARKER_KINDS
    kind: MarkerKind
    left: float
    lane: int
    offset: timedelta  # since the first contact


def _marker_code(entry: TimelineEntry, failure_contacts: Collection[int]) -> str | None:
    if entry.kind == TimelineEntry.Kind.CONTACT:
        return "failure" if entry.contact_id in failure_contacts else "contact"
    if entry.kind == HANDOFF:
        return StepKind.HANDOFF
    if entry.kind == STEP:
        return entry.step_kind if entry.step_kind in MARKER_KINDS else None
    if entry.kind in (TimelineEntry.Kind.CLOSED, TimelineEntry.Kind.REOPENED):
        return entry.kind
    return None  # a reclassification is a review of the record, not part of the flow


def _counted(number: int, kind: MarkerKind) -> str:
    one, many = kind.counted_as
    return f"{number} {one if number == 1 else many}"


@dataclass(frozen=True)
class FlowStrip:
    start: datetime
    end: datetime
    is_open: bool
    markers: list[StripMarker]

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def key(self) -> list[tuple[str, MarkerKind]]:
        """The kinds of marker on this strip, in the key's order."""
        present = {marker.code for marker in self.markers}
        return [(code, kind) for code, kind in MARKER_KINDS.items() if code in present]

    @property
    def has_waste(self) -> bool:
        """Whether the key shows a waste step, so the strip says what "waste" means."""
        return any(kind.category == "waste" for _, kind in self.key)

    @property
    def summary(self) -> list[str]:
        """E.g. ['3 contacts, 1 of them failure demand', '2 value steps',
        '3 waste steps: 1 hand-off, 2 waits']."""
        counts: dict[str, int] = defaultdict(int)
        for marker in self.markers:
            counts[marker.code] += 1
        parts = []
        contacts = counts["contact"] + counts["failure"]
        if contacts:
            failure = f", {counts['failure']} of them failure demand" if counts["failure"] else ""
            parts.append(_counted(contacts, MARKER_KINDS["contact"]) + failure)
        if counts[StepKind.VALUE]:
            parts.append(_counted(counts[StepKind.VALUE], MARKER_KINDS[StepKind.VALUE]))
        waste = [(kind, counts[kind]) for kind in WASTE_STEP_KINDS if counts[kind]]
        if waste:
            total = sum(number for _, number in waste)
            parts.append(
                f"{total} waste step{'' if total == 1 else 's'}: "
                + ", ".join(_counted(number, MARKER_KINDS[kind]) for kind, number in waste)
            )
        return parts


def flow_strip(
    case: Case,
    timeline: Iterable[TimelineEntry],
    now: datetime,
    *,
    failure_contacts: Collection[int] = (),
) -> FlowStrip:
    """The case's entries along its time line, from the first contact to closure (or now, if
    open), each at its per cent of the way. No queries: `timeline` is what the page already
    fetched; `failure_contacts` are the ids of the case's failure-demand contacts."""
    start = case.opened_at
    end = case.closed_at if case.closed_at and not case.is_open else max(now, start)
    span = (end - start).total_seconds()
    markers: list[StripMarker] = []
    lane_ends = [-100.0, -100.0]
    for entry in sorted(timeline, key=lambda entry: (entry.occurred_at, entry.pk)):
        code = _marker_code(entry, failure_contacts)
        if code is None:
            continue
        offset = entry.occurred_at - start
        left = 0.0 if span <= 0 else offset.total_seconds() / span * 100
        left = round(min(max(left, 0.0), 100.0), 1)
        free = (i for i, last in enumerate(lane_ends) if left - last >= LANE_GAP)
        lane = next(free, lane_ends.index(min(lane_ends)))
        lane_ends[lane] = left
        markers.append(
            StripMarker(
                entry=entry,
                code=code,
                kind=MARKER_KINDS[code],
                left=left,
                lane=lane,
                offset=max(offset, timedelta()),
            )
        )
    return FlowStrip(start=start, end=end, is_open=case.is_open, markers=markers)
