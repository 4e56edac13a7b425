from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "omp.cases"
    label = "cases"
    verbose_name = "Case record"

    def ready(self) -> None:
        """Put the facts as recorded on the case page."""
        from omp.cases.sections import register
        from omp.cases.views import FACTS_PART

        register(FACTS_PART)
