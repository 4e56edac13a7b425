"""Custody case management pages."""

from django.urls import path

from omp.custody import views

urlpatterns = [
    path("custody/", views.dashboard, name="custody-dashboard"),
    path("custody/tasks/", views.tasks, name="custody-tasks"),
    path("cases/<str:case_ref>/tasks/<int:task_id>/done/", views.task_done,
         name="custody-task-done"),
    path("cases/<str:case_ref>/needs/", views.needs_assessment, name="custody-needs"),
    path("cases/<str:case_ref>/allocate/", views.allocate, name="custody-allocate"),
    path("cases/<str:case_ref>/compact/", views.compact, name="custody-compact"),
    path("custody/caseloads/", views.caseload_view, name="custody-caseloads"),
]
