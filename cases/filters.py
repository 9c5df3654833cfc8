"""Find a case: free text and filters, all in the query string so a search can be bookmarked."""

import django_filters
from django.db.models import Q, QuerySet

from cases.forms import PersonChoiceField, people_who_can_own_cases
from cases.models import (
    Case,
    Citizen,
    ServiceType,
    normalise_phone,
    normalise_postcode,
    parse_reference,
)

WHOLE_PHONE_DIGITS = 10  # "01234 567890": a UK number with its area code


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


def citizen_search_q(text: str, prefix: str = "") -> Q:
    """Match a citizen by name, email, phone or postcode, however the phone or postcode is typed.
    Only the parts the text could be are searched: digits alone are not a name, and a whole
    phone number is looked up exactly (its own index) rather than inside every number."""
    text = text.strip()
    query = Q(**{f"{prefix}email__iexact": text})
    if any(ch.isalpha() for ch in text):
        query |= Q(**{f"{prefix}name__icontains": text})
    phone = normalise_phone(text)
    digits = sum(ch.isdigit() for ch in phone)
    if digits >= WHOLE_PHONE_DIGITS and digits == len(phone.lstrip("+")):
        query |= Q(**{f"{prefix}phone": phone})
    elif digits >= 5:
        query |= Q(**{f"{prefix}phone__contains": phone})
    if any(ch.isdigit() for ch in text):
        query |= Q(**{f"{prefix}postcode__startswith": normalise_postcode(text)})
    return query


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Reference, citizen's name, phone or postcode", method="search", max_length=200
    )
    status = django_filters.ChoiceFilter(choices=Case.Status.choices, empty_label="Open or closed")
    service = django_filters.ModelChoiceFilter(
        field_name="service_type",
        label="Service",
        queryset=ServiceType.objects.all(),
        to_field_name="slug",
        empty_label="All services",
    )
    owner = PersonChoiceFilter(
        label="Owner", queryset=lambda request: people_who_can_own_cases(), empty_label="Anyone"
    )

    class Meta:
        model = Case
        fields = ["q", "status", "service", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The cursor in the search box: a case is usually found by typing.
        self.form.fields["q"].widget.attrs["autofocus"] = True

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        pk = parse_reference(value)
        if pk is not None and value.strip().upper().startswith("CF"):
            # A case reference names one case: no citizen is called "CF-000123".
            return queryset.filter(pk=pk)
        citizens = Citizen.objects.filter(citizen_search_q(value))
        if pk is None:
            return queryset.filter(citizen__in=citizens)
        # Digits alone: a reference typed without "CF", or part of a phone number. A UNION of
        # ids, each branch on its own index, rather than one OR across two tables (which
        # makes PostgreSQL scan every case: bench/RESULTS.md).
        ids = Case.objects.filter(citizen__in=citizens).order_by().values("pk")
        ids = ids.union(Case.objects.filter(pk=pk).order_by().values("pk"))
        return queryset.filter(pk__in=ids)
