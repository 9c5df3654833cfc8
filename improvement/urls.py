from django.urls import path

from improvement import views

app_name = "improvement"

urlpatterns = [
    # Among the capability pages, where team leaders read the phases these changes start.
    path("capability/changes/", views.system_changes, name="changes"),
    path("capability/changes/<int:pk>/", views.system_change, name="change"),
    path("capability/changes/<int:pk>/correct/", views.system_change_correct, name="correct"),
    path("capability/changes/<int:pk>/withdraw/", views.system_change_withdraw, name="withdraw"),
]
