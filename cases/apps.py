from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Registers the check that every ModelAdmin audits its changes.
        from cases import checks  # noqa: F401
