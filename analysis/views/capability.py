"""Capability: the citizen's end-to-end time on XmR charts, per service and for all services.
No targets, no "% within N days": what the system predictably achieves, and when it changed."""

import itertools
from collections.abc import Iterator
from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import json_script

from accounts import roles
from analysis import capability, spc
from analysis.charts import (
    ChartPoint,
    chart_spec,
    table_rows,
)
from analysis.forms import CapabilityFilterForm
from analysis.views import study_page
from cases.models import REFERENCE_PREFIX, ServiceType, case_urls, format_reference
from improvement.selectors import system_changes_for
from lib.exports import bad_filters, csv_field, csv_lines_response

ALL = "all"
TABLE_ROWS_SHOWN = capability.DAILY_VIEW_ABOVE
CSV_COLUMNS = [
    "reference",
    "service_type",
    "opened_at",
    "closed_at",
    "end_to_end_days",
    "phase",
    "centre_line",
    "lower_limit",
    "upper_limit",
    "signal",
    "rules",
    "transition",
]


def _service(slug: str) -> ServiceType | None:
    if slug == ALL:
        return None
    service = ServiceType.objects.filter(slug=slug).first()
    if service is None:
        raise Http404("No such service.")
    return service


def _filter_form(request: HttpRequest, service: ServiceType | None = None) -> CapabilityFilterForm:
    return CapabilityFilterForm(
        request.GET,
        default_period=capability.default_period(),
        channels=capability.channel_choices(),
        service=service,
    )


@study_page(roles.STUDY_CAPABILITY)
def index(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = form.filters()
    return render(
        request,
        "analysis/capability_index.html",
        {
            "nav_section": "capability",
            "form": form,
            "services": capability.services_with_closures(filters),
            "all_services": ServiceType.objects.order_by("name"),
            "query": request.GET.urlencode(),
        },
    )


def _case_points(series: capability.EndToEndSeries) -> list[ChartPoint]:
    """Each case's point, labelled by its reference, linked to its page and dated by the day
    (local time) it closed: the chart's x axis reads as dates, its tooltip as references."""
    local = timezone.get_current_timezone()
    case_ids = series.case_ids
    return [
        ChartPoint(
            label=format_reference(pk),
            href=url,
            day=datetime.fromtimestamp(closed_at, tz=local).date(),
        )
        for pk, url, closed_at in zip(case_ids, case_urls(case_ids), series.closed_at, strict=True)
    ]


@study_page(roles.STUDY_CAPABILITY)
def chart(request: HttpRequest, service: str) -> HttpResponse:
    """Each closed case's end-to-end time in closed_at order (or, over 1,000 cases, the mean of
    each day's closures if asked), with the mR chart, limits per phase and the statement."""
    service_type = _service(service)
    form = _filter_form(request, service_type)
    filters = form.filters()
    cases = filters.cases(service_type)
    daily = request.GET.get("view") == "daily"
    name = service_type.name if service_type else "all services"
    if filters.asked_for:
        name = f"{name}: {filters.asked_for.name}"
    title = f"End-to-end time, {name}" + (" (mean of each day's closures)" if daily else "")
    changes = system_changes_for([service_type.pk] if service_type else [])

    def spec_of(result: capability.CapabilityChart, points: list[ChartPoint]) -> dict:
        spec = chart_spec(
            result.chart, points, title=title, unit="days", changes=result.change_marks
        )
        if result.transition and any(result.transition):
            spec["columns"]["transition"] = list(map(int, result.transition))
        return spec

    if daily:
        if not filters.include_transitions:
            cases = cases.exclude(capability.transition_cases(changes))
        days = capability.daily_means(cases)
        result = capability.capability_chart(
            [day for day, _, _ in days],
            [mean for _, mean, _ in days],
            service_type,
            screening=filters.screening,
            changes=changes,
        )
        points = [
            ChartPoint(
                label=f"{day:%-d %b %Y}",
                tooltip=f"{day:%-d %b %Y}: {mean:.1f} days on average ({count} closed)",
                day=day,
            )
            for day, mean, count in days
        ]
        total = sum(count for _, _, count in days)
    else:
        series = capability.end_to_end_series(cases)
        result = capability.series_chart(
            series,
            service_type,
            screening=filters.screening,
            changes=changes,
            include_transitions=filters.include_transitions,
        )
        total = len(series)
        points = _case_points(series) if total <= TABLE_ROWS_SHOWN else []
    if daily or total <= TABLE_ROWS_SHOWN:
        spec = spec_of(result, points)
        spec_script = json_script(spec, "capability-data")
    else:
        # Too many points for a table: the chart's JSON is kept once written, like the chart.
        spec = None
        spec_script = capability.kept(
            series,
            changes,
            ("spec", filters.screening, filters.include_transitions, title),
            lambda: json_script(spec_of(result, _case_points(series)), "capability-data"),
        )
    xmr = result.chart
    rows = table_rows(xmr, points) if points else []
    query = request.GET.copy()
    query.pop("view", None)
    others = query.copy()
    others.pop("asked_for", None)
    return render(
        request,
        "analysis/capability_chart.html",
        {
            "nav_section": "capability",
            "form": form,
            "filters": filters,
            "service": service_type,
            "slug": service,
            "name": name,
            "daily": daily,
            "total": total,
            "title": title,
            "chart": xmr,
            "spec": spec,
            "spec_script": spec_script,
            "rows": rows,
            "statement": result.statement,
            "phases": list(zip(xmr.phases, result.phase_since, strict=True)),
            "offer_daily": total > capability.DAILY_VIEW_ABOVE,
            "set_aside": sum(phase.set_aside for phase in xmr.phases),
            "query": query.urlencode(),
            # The choices only: counting each one's cases costs more than the chart itself.
            "asked_for": list(form.fields["asked_for"].queryset) if service_type else [],
            "query_without_asked_for": others.urlencode(),
        },
    )


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


@study_page(roles.STUDY_CAPABILITY)
def chart_csv(request: HttpRequest, service: str) -> HttpResponse:
    """One row per case in chart order, with the chart's own phase, limits and signals."""
    service_type = _service(service)
    form = _filter_form(request, service_type)
    if not form.is_valid():
        return bad_filters(form)
    filters = form.filters()
    series = capability.end_to_end_series(filters.cases(service_type))
    changes = system_changes_for([service_type.pk] if service_type else [])
    result = capability.series_chart(
        series,
        service_type,
        screening=filters.screening,
        changes=changes,
        include_transitions=filters.include_transitions,
    )
    names = dict(ServiceType.objects.values_list("pk", "name"))

    # Written once, kept like the chart: the same cases, changes, settings and names give the
    # same rows, so a repeat download costs the query and a look-up, not 38,000 rows of text.
    body = capability.kept(
        series,
        changes,
        ("csv", filters.screening, filters.include_transitions, sorted(names.items())),
        lambda: "".join(
            _csv_lines(series, result, {pk: csv_field(name) for pk, name in names.items()})
        ),
    )
    return csv_lines_response(CSV_COLUMNS, _pieces(body), filename=f"capability-{service}.csv")


def _pieces(text: str, size: int = 1 << 16) -> Iterator[str]:
    for start in range(0, len(text), size):
        yield text[start : start + size]


CSV_CHUNK = 5000  # rows formatted at a time: memory stays flat whatever the number of cases
RULES_TEXT = ["+".join(map(str, rules)) for rules in spc.RULES_IN]  # "1+2" per rule bit mask


def _csv_lines(
    series: capability.EndToEndSeries, result: capability.CapabilityChart, names: dict
) -> Iterator[str]:
    """The CSV's rows as lines, column by column at C speed (a row at a time in Python cost
    four times the SQL): each column of a chunk is one map over the series' arrays. Every
    field is a reference, a number, a time, a word or a name already quoted for CSV."""
    chart = result.chart
    zone = itertools.repeat(timezone.get_current_timezone())
    lines_of_phase = [
        ",".join((str(n), _number(p.centre_line), _number(p.lower_limit), _number(p.upper_limit)))
        for n, p in enumerate(chart.phases, start=1)
    ]
    transition = result.transition or [False] * len(chart.values)
    for start in range(0, len(chart.values), CSV_CHUNK):
        end = start + CSV_CHUNK
        columns = (
            map(f"{REFERENCE_PREFIX}{{:06d}}".format, series.case_ids[start:end]),
            map(names.__getitem__, series.service_ids[start:end]),
            map(datetime.isoformat, map(datetime.fromtimestamp, series.opened_at[start:end], zone)),
            map(datetime.isoformat, map(datetime.fromtimestamp, series.closed_at[start:end], zone)),
            map("{:.3f}".format, chart.values[start:end]),
            map(lines_of_phase.__getitem__, map((-1).__radd__, chart.phase_numbers[start:end])),
            chart.labels[start:end],
            map(RULES_TEXT.__getitem__, chart.rule_masks[start:end]),
            map(("false", "true").__getitem__, transition[start:end]),
        )
        yield "\r\n".join(map(",".join, zip(*columns, strict=True))) + "\r\n"
