from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # Signal receivers are connected once the models are loaded, as Django asks: importing
        # the module at the top of this file would load django.contrib.auth's models too early.
        from accounts import sessions  # noqa: F401
