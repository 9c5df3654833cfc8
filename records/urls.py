from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    # Under /cases/, beside the case pages it is reached from.
    path("cases/citizens/<int:pk>/data.json", views.citizen_data, name="citizen_data"),
]
