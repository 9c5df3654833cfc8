"""What a citizen's progress page shows: their own words, what happens next and when, the
updates published to them, and whether their need is met. Nothing about staff (no names, no
internal steps or hand-offs, no classification) or anyone else."""

from dataclasses import dataclass

from cases.models import Case, CitizenUpdate
from demand.models import Contact


@dataclass(frozen=True)
class Progress:
    case: Case
    contacts: list[Contact]
    updates: list[CitizenUpdate]

    @property
    def closing(self) -> CitizenUpdate | None:
        """The update that told them the need was met (the latest closure)."""
        if self.case.is_open:
            return None
        return next((update for update in self.updates if update.is_closing), None)


def progress_of(case: Case) -> Progress:
    contacts = list(
        Contact.objects.filter(case=case)
        .only("received_at", "channel", "citizen_words", "case_id")
        .order_by("received_at", "pk")
    )
    updates = list(
        CitizenUpdate.objects.filter(case=case)
        .select_related("entry")
        .order_by("-published_at", "-pk")
    )
    return Progress(case=case, contacts=contacts, updates=updates)
