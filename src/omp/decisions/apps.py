from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "omp.decisions"
    label = "decisions"
    verbose_name = "Decisions"
