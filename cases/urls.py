from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("mine/", views.my_cases, name="mine"),
    # Three segments, so never mistaken for a case reference's pages.
    path("citizens/<int:pk>/data.json", views.citizen_data, name="citizen_data"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/steps/new/", views.case_record_step, name="record_step"),
    path("<str:reference>/hand-off/", views.case_hand_off, name="hand_off"),
    path("<str:reference>/close/", views.case_close, name="close"),
    path("<str:reference>/history/", views.case_history, name="history"),
]
