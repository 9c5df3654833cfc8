"""The whole site's URLs: each app's own, in one place."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from councilflow.health import health

admin.site.site_header = "CouncilFlow administration"
admin.site.site_title = "CouncilFlow administration"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:mine"), name="home"),
    path("", include("accounts.urls")),
    path("", include("staff.urls")),
    # Before demand's /cases/<reference>/, so that /cases/mine/ is not read as a reference.
    path("cases/", include("cases.urls")),
    path("", include("records.urls")),
    path("", include("messaging.urls")),
    path("", include("demand.urls")),
    # Before the analysis pages' /capability/<service>/, so that "changes" is not a service.
    path("", include("improvement.urls")),
    path("", include("analysis.urls")),
    path("admin/", admin.site.urls),
    # For the load balancer: no sign-in, plain text, checks the database.
    path("health/", health, name="health"),
    # The citizens' progress pages: no sign-in, a case's reference and its code (progress/).
    path("progress/", include("progress.urls")),
    # Open311 GeoReport v2: citizens' reports from FixMyStreet and web forms (open311/).
    path("open311/v2/", include("open311.urls")),
]

# A page in the house style that reads nothing from the database; for a form sent while the
# database could not be reached, everything typed, to send again (councilflow/errors.py).
handler500 = "councilflow.errors.server_error"
