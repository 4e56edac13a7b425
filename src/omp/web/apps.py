from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "omp.web"
    label = "web"
    verbose_name = "Web, sign-in and roles"
