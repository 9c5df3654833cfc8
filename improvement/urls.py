from django.urls import path

from improvement import views

app_name = "improvement"

urlpatterns = [
    # Among the capability pages, where team leaders read the phases these changes start.
    path("capability/changes/", views.system_changes, name="changes"),
]
