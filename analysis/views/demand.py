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
    chart_number,
    chart_spec,
    gapped_chart_spec,
    gapped_table_rows,
    phases_at_changes,
    predictable_range,
    share_statement,
    starts_among,
    table_rows,
    volume_statement,
)
from analysis.forms import DemandFilterForm
from analysis.views import study_page
from cases.models import ServiceType, format_reference
from demand.models import Contact, DemandType, FailureCategory
from demand.notes import note_groups_by_category
from improvement.selectors import system_changes_for
from lib.exports import bad_filters, csv_response
from lib.params import id_param, slug_param
from lib.periods import last_full_weeks

CONTACTS_PER_PAGE = 50
NOTE_GROUPS_OPEN = 8  # per kind of failure demand on the Pareto; the rest behind "more notes"
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


def _xmr_context(chart: spc.Chart, points: list[ChartPoint], **spec) -> dict:
    return {
        "chart": chart,
        "spec": chart_spec(chart, points, **spec),
        "rows": table_rows(chart, points),
    }


def _week_label(monday) -> str:
    return f"w/c {monday:%-d %b %Y}"


def _share_chart(weeks: list, present: list[int], changes) -> dict:
    """The weekly failure-demand share on an XmR chart worked out on the weeks with contacts
    (`present`), drawn over every week (the others are gaps), with its table and statement."""
    axis_starts, marks = phases_at_changes([monday for monday, _, _ in weeks], changes)
    shares = [100 * failure / total for _, total, failure in weeks if total]
    chart = spc.xmr(shares, phase_starts=starts_among(axis_starts, present), ceiling=100)
    points, shown = [], []
    for monday, total, failure in weeks:
        label = _week_label(monday)
        share = f"{chart_number(100 * failure / total)}% ({failure} of {total})" if total else ""
        points.append(ChartPoint(label=label, tooltip=f"{label}: {share or 'no contacts'}"))
        shown.append(share)
    rows = gapped_table_rows(chart, points, present, gap="No contacts: no share")
    for row, share in zip(rows, shown, strict=True):
        row["shown"] = share
    spec = gapped_chart_spec(
        chart,
        points,
        present,
        axis_starts=axis_starts,
        title="Failure demand as a share of all contacts, by week",
        unit="%",
        changes=marks,
        y_max=100,  # a share stops at 100%, whatever room the labels would like
    )
    labels = [points[i].label for i in present]
    return {"chart": chart, "spec": spec, "rows": rows, "statement": share_statement(chart, labels)}


@study_page(roles.STUDY_DEMAND)
def failure_over_time(request: HttpRequest) -> HttpResponse:
    """Weekly failure-demand share on an XmR chart, phases at system changes. Every whole week
    of the period is on the axis; a week with no contacts has no share, so it is a gap there
    and a row of the table."""
    form = _filter_form(request)
    filters = form.filters()
    weeks = selectors.weekly_failure_counts(filters)
    present = [i for i, (_, total, _) in enumerate(weeks) if total]
    context = {
        "weeks": len(weeks),
        "gaps": len(weeks) - len(present),
        "part_weeks": filters.part_weeks(),
    }
    if present:
        context |= _share_chart(weeks, present, system_changes_for(filters.service_ids))
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


def volume_chart(
    chart_id: str,
    series,
    changes,
    *,
    noun: str,
    title: str,
    subject: str,
    lower_is_better: bool | None = None,
) -> dict:
    """One volume series (a point a day, weekday, weekend day or week) on an XmR chart, with
    its table and its statement. Neither direction is better for demand in general; for the
    failure demand a system condition causes, lower is."""
    starts, marks = phases_at_changes([day for day, _ in series], changes)
    chart = spc.xmr(
        [count for _, count in series], phase_starts=starts, lower_is_better=lower_is_better
    )
    points = []
    for day, count in series:
        label = _week_label(day) if noun == "week" else f"{day:%a %-d %b %Y}"
        contacts = f"{count} contact{'s' if count != 1 else ''}"
        points.append(ChartPoint(label=label, tooltip=f"{label}: {contacts}"))
    context = _xmr_context(chart, points, title=title, unit="contacts", changes=marks)
    for row, (_, count) in zip(context["rows"], series, strict=True):
        row["shown"] = str(count)
    labels = [point.label for point in points]
    return {
        "id": chart_id,
        "title": title,
        "x_heading": "Week" if noun == "week" else "Day",
        "statement": volume_statement(chart, labels, subject=subject, noun=noun),
        **context,
    }


def _volume_charts(series, changes, subject: str, *, weekly: bool) -> list[dict]:
    """A weekly series on one chart; a daily one as two, weekdays and weekend days, since a
    week's cycle is routine, not a signal."""
    if weekly:
        parts = [("volume", series, "week", f"Contacts a week: {subject}")]
    else:
        weekdays, weekends = selectors.weekdays_and_weekends(series)
        parts = [
            ("weekdays", weekdays, "weekday", f"Contacts a weekday (Monday to Friday): {subject}"),
            ("weekends", weekends, "weekend day", f"Contacts a weekend day: {subject}"),
        ]
    return [
        volume_chart(chart_id, part, changes, noun=noun, title=title, subject=subject)
        for chart_id, part, noun, title in parts
        if part
    ]


def _days_of_week(series, changes) -> list[dict]:
    """Each day of the week on its own XmR chart (phases at system changes): its latest
    phase's average, and its predictable range only when that phase has no special causes."""
    days = []
    for weekday, values in selectors.by_day_of_week(series).items():
        starts, _ = phases_at_changes([day for day, _ in values], changes)
        day_chart = spc.xmr(
            [count for _, count in values], phase_starts=starts, lower_is_better=None
        )
        phase = day_chart.phases[-1]
        signals = sum(1 for mask in day_chart.rule_masks[phase.start :] if mask)
        if signals:
            no_range = "no range: there are unusual days"
        elif len(phase.values) == 1:
            no_range = "too few days"
        else:
            no_range = "no range: the same every week"
        days.append(
            {
                "name": WEEKDAYS[weekday],
                "count": len(phase.values),
                "mean": phase.centre_line,
                "range": None if signals else predictable_range(phase),
                "no_range": no_range,
                "provisional": phase.is_provisional,
                "signals": signals,
            }
        )
    return days


def _days_of_week_spec(days: list[dict], subject) -> dict:
    return {
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
            for day in days
        ],
    }


@study_page(roles.STUDY_DEMAND)
def predictability(request: HttpRequest) -> HttpResponse:
    """How predictable a demand's volume is: weekly counts on an XmR chart, or daily counts on
    two (weekdays, weekend days), and each day of the week's own predictable range (what
    staffing should be planned on)."""
    form = _filter_form(request)
    filters = form.filters()
    subject, subject_choice = _volume_subject(request)
    # Over two years, a point a day is too many to read (or to send): count per week.
    long_period = (filters.end - filters.start).days > DAILY_UP_TO_DAYS
    weekly = request.GET.get("per") == "week" or long_period
    series = selectors.volume_series(filters, subject, weekly=weekly)
    changes = system_changes_for(filters.service_ids)
    days = [] if weekly else _days_of_week(series, changes)
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
            part_weeks=filters.part_weeks() if weekly else [],
            charts=_volume_charts(series, changes, str(subject), weekly=weekly),
            weekdays=days,
            weekday_spec=_days_of_week_spec(days, subject),
        ),
    )


@study_page(roles.STUDY_DEMAND)
def failure_pareto(request: HttpRequest) -> HttpResponse:
    """Failure categories, most frequent first, with the prevention notes and citizens' words
    behind each bar: where to act first."""
    form = _filter_form(request)
    filters = form.filters()
    overview = selectors.demand_overview(filters)
    words = selectors.failure_words(filters)
    notes = note_groups_by_category(filters.contacts())
    filter_query = urlencode(filters.params())
    bars, running = [], 0
    for row in overview.by_failure_category:
        running += row["count"]
        row["running"] = running
        row["cumulative"] = 100 * running / overview.failure if overview.failure else 0
        row["words"] = words.get(row["slug"], [])
        grouped = notes.get(row["id"], [])
        row["notes"], row["more_notes"] = grouped[:NOTE_GROUPS_OPEN], grouped[NOTE_GROUPS_OPEN:]
        row["notes_written"] = sum(group.count for group in grouped)
        row["href"] = f"{reverse('analysis:contacts')}?{filter_query}&category={row['slug']}"
        row["record_query"] = f"category={row['slug']}&{filter_query}"
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
        _context(
            request,
            form,
            overview=overview,
            bars=bars,
            spec=spec,
            can_record_condition=request.user.has_perm(roles.RECORD_SYSTEM_CONDITION),
        ),
    )


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
        words,
        note,
    ]


@study_page(roles.STUDY_DEMAND)
def chasing(request: HttpRequest) -> HttpResponse:
    """Does telling citizens reduce chasing? Progress-chasing failure demand on cases whose
    citizen was sent updates, beside cases whose citizen was sent none."""
    form = _filter_form(request)
    filters = form.filters()
    rows = selectors.chasing_and_updates(filters)
    base = urlencode([pair for pair in filters.params() if pair[0] != "updates"])
    for row in rows:
        row_query = f"{base}&updates={row.updates}"
        row.contacts_href = f"{reverse('analysis:contacts')}?{row_query}"
        row.chasing_href = (
            f"{reverse('analysis:contacts')}?{row_query}&category={selectors.PROGRESS_CHASING}"
        )
    return render(request, "analysis/chasing.html", _context(request, form, rows=rows))
