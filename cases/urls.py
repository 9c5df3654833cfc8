from django.urls import path

from cases import views

app_name = "cases"

# The case page (/cases/<reference>/) and logging a contact on a case are demand's (demand.urls);
# closing a case and updating the citizen are messaging's (messaging.urls).
urlpatterns = [
    path("", views.case_list, name="list"),
    path("mine/", views.my_cases, name="mine"),
    path("<str:reference>/steps/new/", views.case_record_step, name="record_step"),
    path("<str:reference>/hand-off/", views.case_hand_off, name="hand_off"),
    path("<str:reference>/history/", views.case_history, name="history"),
]
