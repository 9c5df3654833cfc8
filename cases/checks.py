"""`manage.py check` (and so every test run) fails when a model is in the admin without the audit
trail: every configuration change must be audited, including those made in admins added later."""

from django.contrib import admin
from django.core import checks

from cases.admin import AuditedAdmin


@checks.register(checks.Tags.admin)
def every_admin_is_audited(app_configs, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"{model._meta.label} is in the admin without the audit trail.",
            hint=(
                "Register it with cases.admin.AuditedAdmin, NoDeleteAdmin (configuration that "
                "is retired, never deleted) or ReadOnlyAdmin, or a subclass of one."
            ),
            obj=type(model_admin),
            id="councilflow.E001",
        )
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdmin)
    ]
