from django.apps import AppConfig


class OutcomesWebConfig(AppConfig):
    name = "omp.outcomes.web"
    label = "outcomes"
    verbose_name = "Outcomes"
