from django.apps import AppConfig


class CouncilflowConfig(AppConfig):
    name = "councilflow"

    def ready(self) -> None:
        from councilflow import sessions  # noqa: F401  (connects the sign-in receiver)
