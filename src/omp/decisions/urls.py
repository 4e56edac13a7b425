"""Decisions pages: RSR/OSP, the override, custody dates, the handover lists and the
what-if projection."""

from django.urls import path

from omp.decisions import views

urlpatterns = [
    path("cases/<str:case_ref>/scores/", views.case_scores, name="case-scores"),
    path("cases/<str:case_ref>/override/", views.case_override, name="case-override"),
    path("cases/<str:case_ref>/custody/", views.case_custody, name="case-custody"),
    path("handovers/", views.handover_lists, name="handover-lists"),
    path("handovers/what-if/", views.what_if, name="handover-what-if"),
]
