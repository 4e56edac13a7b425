"""Tasks in the admin, read-only: they follow the pathway and are done on the case page."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from omp.cases.admin import ReadOnly
from omp.custody.models import Task


@admin.register(Task)
class TaskAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("person", "title", "due", "status")
    list_filter = ("status", "rule")
    search_fields = ("person__case_ref",)
