"""Commissioning pages."""

from django.urls import path

from omp.commissioning import (
    cohort_views,
    dashboard_views,
    manager_dashboard_views,
    segmentation_views,
    views,
)

urlpatterns = [
    path("commissioning/", views.contract_list, name="commissioning-contracts"),
    path("commissioning/organisation/", views.organisation_page,
         name="commissioning-organisation"),
    path("commissioning/contracts/<str:reference>/", views.contract_detail,
         name="commissioning-contract"),
    path("commissioning/contracts/<str:reference>/kpis.csv", views.contract_kpi_csv,
         name="commissioning-kpi-csv"),
    path("commissioning/contracts/<str:reference>/stage/", views.contract_move,
         name="commissioning-move"),
    path("commissioning/dashboard/", dashboard_views.commissioner_dashboard,
         name="commissioning-dashboard"),
    path("commissioning/contract-manager/",
         manager_dashboard_views.contract_manager_dashboard,
         name="commissioning-contract-manager-dashboard"),
    path("omic/dashboard/", manager_dashboard_views.omic_dashboard, name="omic-dashboard"),
    path("commissioning/segmentation/", segmentation_views.segmentation_page,
         name="commissioning-segmentation"),
    path("commissioning/cohorts/", cohort_views.cohort_list, name="commissioning-cohorts"),
    path("commissioning/cohorts/published-cohorts.csv", cohort_views.cohort_open_data,
         {"extension": "csv"}, name="commissioning-cohorts-csv"),
    path("commissioning/cohorts/published-cohorts.parquet", cohort_views.cohort_open_data,
         {"extension": "parquet"}, name="commissioning-cohorts-parquet"),
    path("commissioning/cohorts/data-dictionary.csv", cohort_views.cohort_dictionary,
         name="commissioning-cohorts-dictionary"),
    path("commissioning/cohorts/<str:cpa>/", cohort_views.cohort_area,
         name="commissioning-cohort-area"),
]
