"""Team leaders study demand: what citizens ask for, how much is failure demand, and why."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from analysis import demand as selectors
from analysis import spc
from analysis.charts import (
    ChartPoint,
    chart_spec,
    phases_at_changes,
    predictable_range,
    table_rows,
)
from analysis.forms import DemandFilterForm
from analysis.views import study_page
from cases.models import ServiceType, format_reference
from demand.models import Contact, DemandType, FailureCategory
from improvement.selectors import system_changes_for
from lib.exports import bad_filters, csv_response
from lib.params import id_param, slug_param
from lib.periods import last_full_weeks

CONTACTS_PER_PAGE = 50
DAILY_UP_TO_DAYS = 731
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _filter_form(request: HttpRequest) -> DemandFilterForm:
    return DemandFilterForm(request.GET, default_period=last_full_weeks())


def _context(request: HttpRequest, form: DemandFilterForm, **extra) -> dict:
    filters = form.filters()
    return {
        "form": form,
        "filters": filters,
        "filter_query": urlencode(filters.params()),
        "unserviced_query": urlencode([p for p in filters.params() if p[0] != "service"]),
        "nav_section": "demand",
        **extra,
    }


@study_page(roles.STUDY_DEMAND)
def overview(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = form.filters()
    return render(
        request,
        "analysis/overview.html",
        _context(request, form, overview=selectors.demand_overview(filters)),
    )


def _drilldown(request: HttpRequest) -> tuple[selectors.Drilldown, str]:
    """Which contacts behind a number the link asked for, and that in words."""
    demand = request.GET.get("demand", "")
    demand = demand if demand in Contact.Demand.values else ""
    category_slug = slug_param(request.GET.get("category"))
    category = FailureCategory.objects.filter(slug=category_slug).first() if category_slug else None
    type_id = request.GET.get("type", "")
    type_pk = id_param(type_id)
    demand_type = DemandType.objects.filter(pk=type_pk).first() if type_pk else None
    channel = request.GET.get("by_channel", "")
    channel = channel if channel in Contact.Channel.values else ""
    drill = selectors.Drilldown(
        demand=demand,
        category=category,
        demand_type=demand_type,
        untyped=type_id == "none",
        channel=channel,
    )
    words = [
        Contact.Demand(demand).label if demand else "",
        f"failure demand: {category}" if category else "",
        f"“{demand_type}”" if demand_type else "",
        "value demand with no demand type" if drill.untyped else "",
        f"by {Contact.Channel(channel).label.lower()}" if channel else "",
    ]
    return drill, ", ".join(word for word in words if word) or "All contacts"


@study_page(roles.STUDY_DEMAND)
def contact_list(request: HttpRequest) -> HttpResponse:
    """The contacts behind a number: the citizens' words, case and classification."""
    form = _filter_form(request)
    drill, described = _drilldown(request)
    contacts = selectors.contacts_for_reading(drill.apply(form.filters().contacts()))
    page = Paginator(contacts, CONTACTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "analysis/contact_list.html",
        _context(
            request,
            form,
            page=page,
            described=described,
            query_string=query.urlencode(),
            can_reclassify=request.user.has_perm(roles.RECLASSIFY_CONTACT),
        ),
    )


def _change_marks(points_dates, filters) -> tuple[list[int], list[tuple[int, str]]]:
    return phases_at_changes(points_dates, system_changes_for(filters.service_ids))


def _xmr_context(chart: spc.Chart, points: list[ChartPoint], **spec) -> dict:
    return {
        "chart": chart,
        "spec": chart_spec(chart, points, **spec),
        "rows": table_rows(chart, points),
        "latest_phase": chart.phases[-1] if chart.phases else None,
        "since": points[chart.phases[-1].start].label if chart.phases else "",
    }


@study_page(roles.STUDY_DEMAND)
def failure_over_time(request: HttpRequest) -> HttpResponse:
    """Weekly failure-demand share on an XmR chart, phases at system changes."""
    form = _filter_form(request)
    filters = form.filters()
    weeks = selectors.weekly_failure_counts(filters)
    mondays = [week for week, _, _ in weeks]
    starts, marks = _change_marks(mondays, filters)
    shares = [100 * failure / total for _, total, failure in weeks]
    chart = spc.xmr(shares, phase_starts=starts, ceiling=100)
    points = [
        ChartPoint(
            label=f"w/c {week:%-d %b %Y}",
            tooltip=f"w/c {week:%-d %b %Y}: {share:.1f}% ({failure} of {total})",
        )
        for (week, total, failure), share in zip(weeks, shares, strict=True)
    ]
    context = _xmr_context(
        chart,
        points,
        title="Failure demand as a share of all contacts, by week",
        unit="%",
        changes=marks,
    )
    return render(request, "analysis/failure_over_time.html", _context(request, form, **context))


def _volume_subject(request: HttpRequest) -> tuple[selectors.VolumeSubject, str]:
    choice = request.GET.get("subject", "")
    kind, _, key = choice.partition(":")
    if kind == "demand" and key in Contact.Demand.values:
        return selectors.VolumeSubject(demand=key), choice
    if kind == "service" and slug_param(key):
        service = ServiceType.objects.filter(slug=key).first()
        if service:
            return selectors.VolumeSubject(service=service), choice
    if kind == "type" and id_param(key):
        demand_type = DemandType.objects.select_related("service_type").filter(pk=key).first()
        if demand_type:
            return selectors.VolumeSubject(demand_type=demand_type), choice
    return selectors.VolumeSubject(), ""


def _subject_choices() -> list[tuple[str, str]]:
    choices = [
        ("", "All contacts"),
        ("demand:value", "Value demand"),
        ("demand:failure", "Failure demand"),
    ]
    choices += [(f"service:{s.slug}", s.name) for s in ServiceType.objects.all()]
    choices += [
        (f"type:{t.pk}", f"{t.service_type}: {t.name}")
        for t in DemandType.objects.select_related("service_type")
    ]
    return choices


@study_page(roles.STUDY_DEMAND)
def predictability(request: HttpRequest) -> HttpResponse:
    """How predictable a demand's volume is: daily or weekly counts on an XmR chart, and the
    predictable range for each day of the week (what staffing should be planned on)."""
    form = _filter_form(request)
    filters = form.filters()
    subject, subject_choice = _volume_subject(request)
    # Over two years, a point a day is too many to read (or to send): count per week.
    long_period = (filters.end - filters.start).days > DAILY_UP_TO_DAYS
    weekly = request.GET.get("per") == "week" or long_period
    series = selectors.volume_series(filters, subject, weekly=weekly)
    days = [day for day, _ in series]
    starts, marks = _change_marks(days, filters)
    chart = spc.xmr([count for _, count in series], phase_starts=starts, lower_is_better=None)
    period_word = "week" if weekly else "day"
    points = [
        ChartPoint(
            label=(f"w/c {day:%-d %b %Y}" if weekly else f"{day:%a %-d %b %Y}"),
            tooltip=f"{day:%-d %b %Y}: {count} contact{'s' if count != 1 else ''}",
        )
        for day, count in series
    ]
    context = _xmr_context(
        chart,
        points,
        title=f"Contacts a {period_word}: {subject}",
        unit="contacts",
        changes=marks,
    )
    weekdays = []
    if not weekly:
        for weekday, values in selectors.by_day_of_week(series).items():
            day_chart = spc.xmr([count for _, count in values], lower_is_better=None)
            phase = day_chart.phases[0]
            weekdays.append(
                {
                    "name": WEEKDAYS[weekday],
                    "count": len(values),
                    "mean": phase.centre_line,
                    "range": predictable_range(phase, places=0),
                    "signals": sum(1 for rules in day_chart.rules if rules),
                }
            )
    context["weekday_spec"] = {
        "kind": "bars",
        "title": f"Contacts by day of the week: {subject}",
        "unit": "contacts",
        "bars": [
            {
                "label": day["name"],
                "value": round(day["mean"], 1),
                "low": day["range"][0] if day["range"] else None,
                "high": day["range"][1] if day["range"] else None,
                "href": None,
            }
            for day in weekdays
        ],
    }
    return render(
        request,
        "analysis/predictability.html",
        _context(
            request,
            form,
            subject=subject,
            subject_choice=subject_choice,
            subject_params=[("subject", subject_choice), ("per", "week" if weekly else "day")],
            subject_choices=_subject_choices(),
            weekly=weekly,
            long_period=long_period,
            period_word=period_word,
            weekdays=weekdays,
            predictable=predictable_range(context["latest_phase"], places=0)
            if context["latest_phase"]
            else None,
            **context,
        ),
    )


@study_page(roles.STUDY_DEMAND)
def failure_pareto(request: HttpRequest) -> HttpResponse:
    """Failure categories, most frequent first, with the prevention notes and citizens' words
    behind each bar: where to act first."""
    form = _filter_form(request)
    filters = form.filters()
    overview = selectors.demand_overview(filters)
    samples = selectors.failure_samples(filters)
    filter_query = urlencode(filters.params())
    bars, running = [], 0
    for row in overview.by_failure_category:
        running += row["count"]
        row["cumulative"] = 100 * running / overview.failure if overview.failure else 0
        row["samples"] = samples.get(row["slug"], {"words": [], "notes": []})
        row["href"] = f"{reverse('analysis:contacts')}?{filter_query}&category={row['slug']}"
        bars.append(row)
    spec = {
        "kind": "pareto",
        "title": "Failure demand by kind, most frequent first",
        "bars": [{"label": b["name"], "count": b["count"], "href": b["href"]} for b in bars],
        "cumulative_percent": [round(b["cumulative"], 1) for b in bars],
    }
    return render(
        request,
        "analysis/pareto.html",
        _context(request, form, overview=overview, bars=bars, spec=spec),
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(text: str) -> str:
    """A citizen's words that start like a formula are prefixed with an apostrophe, so that a
    spreadsheet shows them as text instead of running them (CSV injection)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


EXPORT_COLUMNS = [
    "reference",
    "service_type",
    "received_at",
    "channel",
    "demand",
    "demand_type",
    "failure_category",
    "one_stop",
    "citizen_words",
    "prevention_note",
]


@study_page(roles.STUDY_DEMAND)
def contacts_csv(request: HttpRequest) -> HttpResponse:
    """One row per contact, streamed from a server-side cursor: a million rows never sit in
    memory."""
    form = _filter_form(request)
    if not form.is_valid():
        return bad_filters(form)
    rows = (
        form.filters()
        .contacts()
        .order_by("received_at", "pk")
        .values_list(
            "case_id",
            "service_type__name",
            "received_at",
            "channel",
            "demand",
            "demand_type__name",
            "failure_category__name",
            "is_one_stop",
            "citizen_words",
            "prevention_note",
        )
        .iterator(chunk_size=2000)
    )
    rows_out = (_export_row(row) for row in rows)
    return csv_response(EXPORT_COLUMNS, rows_out, filename="contacts.csv", for_spreadsheets=True)


def _export_row(row: tuple) -> list:
    case_id, service, received_at, channel, demand, type_name, category, one_stop, words, note = row
    return [
        format_reference(case_id),
        service,
        timezone.localtime(received_at).isoformat(),
        channel,
        demand,
        type_name or "",
        category or "",
        "yes" if one_stop else "no",
        _spreadsheet_safe(words),
        _spreadsheet_safe(note),
    ]
