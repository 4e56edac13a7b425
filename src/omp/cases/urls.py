"""Case pages: search, the case page and the case-access log for auditors."""

from django.urls import path

from omp.cases import views

urlpatterns = [
    path("cases/", views.case_search, name="case-search"),
    path("cases/<str:case_ref>/", views.case_detail, name="case-detail"),
    path("audit/", views.access_audit, name="access-audit"),
    path("records-to-check/", views.records_to_check, name="records-to-check"),
]
