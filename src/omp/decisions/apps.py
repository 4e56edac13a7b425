from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "omp.decisions"
    label = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        """Put the allocation, the handover and the decision history on the case page."""
        from omp.cases.sections import register
        from omp.decisions.views import CASE_PAGE_PARTS

        for part in CASE_PAGE_PARTS:
            register(part)
