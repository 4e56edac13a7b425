from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "omp.web"
    label = "web"
    verbose_name = "Web, sign-in and roles"

    def ready(self) -> None:
        # Connect the receivers: sign-in failures and lockouts logged, sign-in starts the
        # session's clocks.
        from omp.web import sessions, signin  # noqa: F401
