"""Case pages: search and the case page."""

from django.urls import path

from omp.cases import views

urlpatterns = [
    path("cases/", views.case_search, name="case-search"),
    path("cases/<str:case_ref>/", views.case_detail, name="case-detail"),
]
