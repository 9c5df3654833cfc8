from django.urls import path

from demand import arrived_views, views

app_name = "demand"

urlpatterns = [
    path("contacts/new/", views.log_contact, name="log_contact"),
    path("contacts/help/", views.contact_help, name="help"),
    path("contacts/arrived/", arrived_views.arrived_list, name="arrived"),
    path("contacts/arrived/<int:pk>/", arrived_views.take, name="take"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/contacts/new/", views.log_contact_on_case, name="log_on_case"),
    path("cases/<str:reference>/reopen/", views.reopen_case, name="reopen"),
    path("demand/contacts/<int:pk>/reclassify/", views.reclassify, name="reclassify"),
]
