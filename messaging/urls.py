from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("cases/<str:reference>/close/", views.case_close, name="close"),
    path(
        "cases/<str:reference>/update-citizen/",
        views.case_update_citizen,
        name="update_citizen",
    ),
    path("cases/<str:reference>/updates-by/", views.updates_by, name="updates_by"),
    path(
        "cases/<str:reference>/messages/<int:pk>/send-again/",
        views.send_again,
        name="send_again",
    ),
    path(
        "cases/<str:reference>/progress-code/make/",
        views.progress_code_make,
        name="progress_code_make",
    ),
    path(
        "cases/<str:reference>/progress-code/replace/",
        views.progress_code_replace,
        name="progress_code_replace",
    ),
    path(
        "cases/<str:reference>/progress-code/revoke/",
        views.progress_code_revoke,
        name="progress_code_revoke",
    ),
]
