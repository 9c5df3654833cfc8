"""The audit trail: field-level records of every change to a case, contact or citizen, and to the
configuration (cases/admin.py's AuditedAdmin). Services and the admin call these inside their own
transaction, so a change and its record stand or fall together."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from cases.models import AuditEntry, Case, Citizen

# What each audited model is called in the trail, and the fields that are never audited
# (bookkeeping, not information).
NOT_AUDITED = {"id", "version", "created_at", "recorded_at", "submission_token"}
# Per model: copies of another row's value, audited there (a contact's service is its case's).
# A member of staff's password hash never enters the trail (a change of password is an event).
NOT_AUDITED_IN = {
    "contact": {"service_type_id"},
    "case": {"is_dirty"},
    "user": {"password", "last_login"},
}
# A model of another app names its own fields audited some other way (record_value_change) in a
# `not_audited` attribute.

# Entries waiting to be written by the `batched()` block they were recorded in.
_pending: ContextVar[list[AuditEntry] | None] = ContextVar("audit_pending", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """Collect the entries recorded in this block and write them in one INSERT at its end.
    Use it inside the service's transaction (under `transaction.atomic`), so the entries still
    stand or fall with the change: logging a contact audits a citizen, a case and a contact."""
    if _pending.get() is not None:  # already inside a batch: its end writes these too
        yield
        return
    token = _pending.set([])
    try:
        yield
        entries = _pending.get()
    finally:
        _pending.reset(token)
    AuditEntry.objects.bulk_create(entries)


def _write(entries: list[AuditEntry]) -> list[AuditEntry]:
    pending = _pending.get()
    if pending is None:
        return AuditEntry.objects.bulk_create(entries)
    pending.extend(entries)
    return entries


def _object_type(obj: models.Model) -> str:
    return obj._meta.model_name


def _case_id(obj: models.Model) -> int | None:
    if isinstance(obj, Case):
        return obj.pk
    if isinstance(obj, Citizen):
        return None
    return getattr(obj, "case_id", None)


def _entry(obj: models.Model, *, by, action: str, actor_label: str, **values) -> AuditEntry:
    return AuditEntry(
        actor=by,
        actor_label=actor_label,
        action=action,
        object_type=_object_type(obj),
        object_id=obj.pk,
        case_id=_case_id(obj),
        **values,
    )


def _text(obj: models.Model, field: models.Field, value) -> str:
    """A value as a person reads it: a related row by its name, a choice by its label."""
    if value is None or value == "":
        return ""
    if field.is_relation:
        # The related row is usually in memory already (the service just set it).
        cached = field.get_cached_value(obj, None) if field.is_cached(obj) else None
        related = (
            cached
            if cached is not None and cached.pk == value
            else field.related_model._default_manager.filter(pk=value).first()
        )
        if related is None:
            return f"#{value}"
        name = getattr(related, "get_full_name", lambda: "")() or str(related)
        return f"{name} (#{value})"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _fields(obj: models.Model, names: Iterable[str] | None):
    skipped = NOT_AUDITED | NOT_AUDITED_IN.get(obj._meta.model_name, set())
    skipped |= set(getattr(obj, "not_audited", ()))
    fields = [f for f in obj._meta.concrete_fields if f.attname not in skipped]
    if names is not None:
        wanted = set(names)
        fields = [f for f in fields if f.name in wanted or f.attname in wanted]
    return fields


def snapshot(obj: models.Model, names: Iterable[str] | None = None) -> dict[str, object]:
    """The raw values of an object's audited fields, to compare with after a change."""
    return {f.attname: getattr(obj, f.attname) for f in _fields(obj, names)}


def record_changes(
    obj: models.Model,
    before: dict[str, object],
    *,
    by: AbstractBaseUser | None,
    action: str = AuditEntry.Action.CHANGED,
    actor_label: str = "",
) -> list[AuditEntry]:
    """One entry per field whose value differs from `before`."""
    entries = []
    for field in _fields(obj, before):
        old, new = before[field.attname], getattr(obj, field.attname)
        if old != new:
            entries.append(
                _entry(
                    obj,
                    by=by,
                    action=action,
                    actor_label=actor_label,
                    field=field.name,
                    old_value=_text(obj, field, old),
                    new_value=_text(obj, field, new),
                )
            )
    return _write(entries)


def record_creation(
    obj: models.Model, *, by: AbstractBaseUser | None, actor_label: str = ""
) -> list[AuditEntry]:
    """A new row: every audited field that holds something (an empty text is nothing)."""
    holding = [f for f in _fields(obj, None) if getattr(obj, f.attname) not in (None, "")]
    empty = {f.attname: None for f in holding}
    return record_changes(
        obj, empty, by=by, action=AuditEntry.Action.CREATED, actor_label=actor_label
    )


def record_value_change(
    obj: models.Model,
    *,
    field: str,
    old: str,
    new: str,
    by: AbstractBaseUser | None,
    action: str = AuditEntry.Action.CHANGED,
    actor_label: str = "",
) -> list[AuditEntry]:
    """A change to something that is not a column of the object (a member of staff's role, a
    role's permissions), given as the text a person reads."""
    if old == new:
        return []
    entry = _entry(
        obj,
        by=by,
        action=action,
        actor_label=actor_label,
        field=field,
        old_value=old,
        new_value=new,
    )
    return _write([entry])


def record_event(
    *,
    action: str,
    by: AbstractBaseUser | None,
    obj: models.Model,
    description: str = "",
    actor_label: str = "",
) -> AuditEntry:
    """Something done with an object rather than to a field of it (a download)."""
    entry = _entry(obj, by=by, action=action, actor_label=actor_label, new_value=description)
    entry.save()
    return entry
