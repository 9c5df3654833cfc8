"""Capability: the citizen's end-to-end time on XmR charts, per service and for all services.
No targets, no "% within N days": what the system predictably achieves, and when it changed."""

from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import json_script

from accounts import roles
from analysis import capability
from analysis.charts import (
    ChartPoint,
    capability_statement,
    chart_spec,
    table_rows,
)
from analysis.forms import CapabilityFilterForm
from analysis.views import study_page
from cases.models import ServiceType, case_urls, format_reference
from improvement.selectors import system_changes_for
from lib.exports import bad_filters, csv_response

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
]


def _service(slug: str) -> ServiceType | None:
    if slug == ALL:
        return None
    service = ServiceType.objects.filter(slug=slug).first()
    if service is None:
        raise Http404("No such service.")
    return service


def _filter_form(request: HttpRequest) -> CapabilityFilterForm:
    return CapabilityFilterForm(
        request.GET,
        default_period=capability.default_period(),
        channels=capability.channel_choices(),
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
    form = _filter_form(request)
    filters = form.filters()
    cases = filters.cases(service_type)
    daily = request.GET.get("view") == "daily"
    name = service_type.name if service_type else "all services"
    title = f"End-to-end time, {name}" + (" (mean of each day's closures)" if daily else "")
    changes = system_changes_for([service_type.pk] if service_type else [])

    def spec_of(result: capability.CapabilityChart, points: list[ChartPoint]) -> dict:
        return chart_spec(
            result.chart, points, title=title, unit="days", changes=result.change_marks
        )

    if daily:
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
            series, service_type, screening=filters.screening, changes=changes
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
            ("spec", filters.screening, title),
            lambda: json_script(spec_of(result, _case_points(series)), "capability-data"),
        )
    xmr = result.chart
    latest = xmr.phases[-1] if xmr.phases else None
    rows = table_rows(xmr, points) if points else []
    query = request.GET.copy()
    query.pop("view", None)
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
            "statement": (
                capability_statement(latest, since=result.phase_since[-1]) if latest else ""
            ),
            "phases": list(zip(xmr.phases, result.phase_since, strict=True)),
            "offer_daily": total > capability.DAILY_VIEW_ABOVE,
            "query": query.urlencode(),
        },
    )


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


@study_page(roles.STUDY_CAPABILITY)
def chart_csv(request: HttpRequest, service: str) -> HttpResponse:
    """One row per case in chart order, with the chart's own phase, limits and signals."""
    service_type = _service(service)
    form = _filter_form(request)
    if not form.is_valid():
        return bad_filters(form)
    filters = form.filters()
    series = capability.end_to_end_series(filters.cases(service_type))
    changes = system_changes_for([service_type.pk] if service_type else [])
    result = capability.series_chart(
        series, service_type, screening=filters.screening, changes=changes
    )
    names = dict(ServiceType.objects.values_list("pk", "name"))

    def rows():
        chart = result.chart
        local = timezone.get_current_timezone()
        phases = [
            (_number(p.centre_line), _number(p.lower_limit), _number(p.upper_limit))
            for p in chart.phases
        ]
        for i, (value, number, label, rules) in enumerate(
            zip(chart.values, chart.phase_numbers, chart.labels, chart.rules, strict=True)
        ):
            yield [
                format_reference(series.case_ids[i]),
                names[series.service_ids[i]],
                datetime.fromtimestamp(series.opened_at[i], tz=local).isoformat(),
                datetime.fromtimestamp(series.closed_at[i], tz=local).isoformat(),
                _number(value),
                number,
                *phases[number - 1],
                label,
                "+".join(map(str, rules)),
            ]

    return csv_response(CSV_COLUMNS, rows(), filename=f"capability-{service}.csv")
