"""Custody reference data in the admin: each prison's local area (PATH-5), editable with
its history; tasks read-only: they follow the pathway and are done on the case page."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from omp.cases.admin import ReadOnly
from omp.custody.models import LocalArea, Task


@admin.register(Task)
class TaskAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("person", "title", "due", "status")
    list_filter = ("status", "rule")
    search_fields = ("person__case_ref",)


@admin.register(LocalArea)
class LocalAreaAdmin(SimpleHistoryAdmin):
    """The areas each prison serves: a release to an address in one of them is local."""

    list_display = ("prison", "name", "pdu")
    list_filter = ("prison",)
    search_fields = ("name", "prison__name", "pdu__code")
