from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "omp.commissioning"
    label = "commissioning"
    verbose_name = "Commissioning"
