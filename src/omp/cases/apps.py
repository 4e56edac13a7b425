from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "omp.cases"
    label = "cases"
    verbose_name = "Case record"
