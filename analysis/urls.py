"""The study pages, for team leaders: demand (/demand/...), capability, work in progress and flow
(/capability/...)."""

from django.urls import path

from analysis.views import capability, case_study, conditions, demand, did_it_work, flow

app_name = "analysis"

urlpatterns = [
    path("demand/", demand.overview, name="overview"),
    path("demand/contacts/", demand.contact_list, name="contacts"),
    path("demand/contacts.csv", demand.contacts_csv, name="contacts_csv"),
    path("demand/failure-over-time/", demand.failure_over_time, name="failure_over_time"),
    path("demand/predictability/", demand.predictability, name="predictability"),
    path("demand/failure-pareto/", demand.failure_pareto, name="pareto"),
    path("demand/chasing/", demand.chasing, name="chasing"),
    path("capability/", capability.index, name="capability"),
    path("capability/work-in-progress/", flow.work_in_progress, name="wip"),
    path("capability/flow/", flow.flow, name="flow"),
    path("capability/<slug:service>.csv", capability.chart_csv, name="capability_csv"),
    path("capability/<slug:service>/", capability.chart, name="capability_chart"),
    path("improvement/conditions/<int:pk>/", conditions.condition, name="condition"),
    path("improvement/changes/<int:pk>/did-it-work/", did_it_work.page, name="did_it_work"),
    path("improvement/changes/<int:pk>/case-study/", case_study.page, name="case_study"),
]
