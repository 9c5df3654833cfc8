from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("", views.find, name="find"),
    path("<str:reference>/<str:code>/", views.page, name="page"),
    path("<str:reference>/<str:code>/stop-updates/", views.stop_updates, name="stop_updates"),
]
