from django.urls import path

from demand import study_views, views

app_name = "demand"

urlpatterns = [
    path("contacts/new/", views.log_contact, name="log_contact"),
    path("cases/<str:reference>/contacts/new/", views.log_contact_on_case, name="log_on_case"),
    path("cases/<str:reference>/reopen/", views.reopen_case, name="reopen"),
    path("demand/", study_views.overview, name="overview"),
    path("demand/contacts/", study_views.contact_list, name="contacts"),
    path("demand/contacts.csv", study_views.contacts_csv, name="contacts_csv"),
    path("demand/contacts/<int:pk>/reclassify/", study_views.reclassify, name="reclassify"),
    path("demand/failure-over-time/", study_views.failure_over_time, name="failure_over_time"),
    path("demand/predictability/", study_views.predictability, name="predictability"),
    path("demand/failure-pareto/", study_views.failure_pareto, name="pareto"),
]
