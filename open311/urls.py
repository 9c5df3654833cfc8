"""/open311/v2/: GeoReport v2 and mySociety's servicerequestupdates, each as .xml or .json."""

from django.urls import path, re_path

from open311.api import views

app_name = "open311"

FORMAT = r"\.(?P<format>xml|json)"

urlpatterns = [
    re_path(rf"^services{FORMAT}$", views.ServiceList.as_view(), name="services"),
    re_path(
        rf"^services/(?P<service_code>[-\w]+){FORMAT}$",
        views.ServiceDefinition.as_view(),
        name="service",
    ),
    re_path(rf"^requests{FORMAT}$", views.Requests.as_view(), name="requests"),
    re_path(
        rf"^requests/(?P<service_request_id>[^/.]+){FORMAT}$",
        views.RequestDetail.as_view(),
        name="request",
    ),
    re_path(rf"^tokens/(?P<token>[^/.]+){FORMAT}$", views.Token.as_view(), name="token"),
    re_path(
        rf"^servicerequestupdates{FORMAT}$",
        views.ServiceRequestUpdates.as_view(),
        name="updates",
    ),
    path("openapi.yaml", views.openapi, name="openapi"),
    # Any other path, even one with a line break in it.
    re_path(r"^[\s\S]*$", views.NotFound.as_view(), name="not_found"),
]
