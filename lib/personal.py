"""Personal data, declared once per model.

Each model says which of its fields hold personal data (what a citizen told us, or who they are)
and which of its text fields do not. Retention, subject access and the audit trail's redaction
read these declarations (records/), and tests/test_personal_data.py fails when a text or contact
field of any model is in neither list, so a new field cannot be missed by any of them."""

from dataclasses import dataclass

PLACEHOLDER = "[removed: retention period ended]"


@dataclass(frozen=True)
class PersonalData:
    """A model's fields by what they hold, and how retention removes the personal ones.

    - ``replaced``: words a citizen gave us, or written about their need: replaced by
      PLACEHOLDER where something was written (empty stays empty, so that "nothing was recorded"
      and "it was removed" remain distinguishable).
    - ``erased``: details that identify someone (name, phone, email, address, postcode) and
      notes about them: emptied.
    - ``identifies``: a reference to a citizen. The row keeps it (the citizen's own record is
      anonymised instead), but the audit trail's copies of it (their name) are redacted.
    - ``copies``: values copied from other models' fields (the audit trail's old and new
      values): personal exactly where the field they were copied from is.
    - ``not_personal``: text fields that hold nothing about a person (codes, configuration,
      descriptions of the council's own work).

    ``belongs_to`` names the foreign key to the case whose retention period these data follow
    ("case"); a case's and a citizen's own data follow their own.
    """

    replaced: tuple[str, ...] = ()
    erased: tuple[str, ...] = ()
    identifies: tuple[str, ...] = ()
    copies: tuple[str, ...] = ()
    not_personal: tuple[str, ...] = ()
    belongs_to: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields that hold or name personal data, as the audit trail names them."""
        return (*self.replaced, *self.erased, *self.identifies)

    @property
    def held(self) -> tuple[str, ...]:
        """The fields whose own values are personal data (shown in a subject access request)."""
        return (*self.replaced, *self.erased)

    @property
    def classified(self) -> tuple[str, ...]:
        return (*self.fields, *self.copies, *self.not_personal)
