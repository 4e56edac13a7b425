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
    path("cases/<str:case_ref>/support-plan/", views.support_plan,
         name="custody-support-plan"),
    path("cases/<str:case_ref>/support-plan/actions/new/", views.support_action_new,
         name="custody-support-action-new"),
    path("cases/<str:case_ref>/support-plan/actions/<int:action_id>/",
         views.support_action_change, name="custody-support-action-change"),
    path("cases/<str:case_ref>/support-plan/review/", views.plan_review,
         name="custody-plan-review"),
    path("cases/<str:case_ref>/release-area/", views.release_area,
         name="custody-release-area"),
    path("cases/<str:case_ref>/timeline/", views.timeline, name="custody-timeline"),
    path("custody/caseloads/", views.caseload_view, name="custody-caseloads"),
]
