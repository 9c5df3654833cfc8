"""Capability and flow, for team leaders: /capability/..."""

from django.urls import path

from cases import capability_views, flow_views

app_name = "capability"

urlpatterns = [
    path("", capability_views.index, name="index"),
    path("changes/", capability_views.system_changes, name="changes"),
    path("work-in-progress/", flow_views.work_in_progress, name="wip"),
    path("flow/", flow_views.flow, name="flow"),
    path("<slug:service>.csv", capability_views.chart_csv, name="csv"),
    path("<slug:service>/", capability_views.chart, name="chart"),
]
