from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "omp.custody"
    label = "custody"
    verbose_name = "Custody case management"

    def ready(self) -> None:
        """Keep each case's tasks in step with its decisions (on every change and in the
        nightly run), and show the custody parts of the case page."""
        from omp.cases.sections import register
        from omp.custody.actions import tasks_follow_the_decision, tasks_follow_the_night
        from omp.custody.views import (
            CASE_MANAGERS_PART,
            COMPACT_PART,
            NEEDS_PART,
            SUPPORT_PLAN_PART,
            TASKS_PART,
        )
        from omp.decisions.signals import case_decided, chunk_decided

        case_decided.connect(tasks_follow_the_decision, dispatch_uid="custody-tasks")
        chunk_decided.connect(tasks_follow_the_night, dispatch_uid="custody-tasks-nightly")
        register(CASE_MANAGERS_PART)
        register(TASKS_PART)
        register(NEEDS_PART)
        register(SUPPORT_PLAN_PART)
        register(COMPACT_PART)
