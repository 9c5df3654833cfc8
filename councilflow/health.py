"""The load balancer's health check: is this app server able to reach its database?"""

from django.contrib.auth.decorators import login_not_required
from health_check.views import HealthCheckView


class HealthView(HealthCheckView):
    """django-health-check's view with the one check a load balancer needs: the primary database
    answers `SELECT 1`. 200 and "OK" when it does, 500 with the reason when it does not, always
    as plain text (the library's HTML page carries an inline style the Content-Security-Policy
    forbids). The read replica is left out on purpose: without it the front office still works,
    so a lagging or missing replica must not take app servers out of the balancer."""

    checks = ("health_check.checks.Database",)

    def render_to_response(self, context, **response_kwargs):
        return self.render_to_response_text(response_kwargs.get("status", 200))


health = login_not_required(HealthView.as_view())
