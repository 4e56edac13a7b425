"""Commissioning pages."""

from django.urls import path

from omp.commissioning import views

urlpatterns = [
    path("commissioning/", views.contract_list, name="commissioning-contracts"),
    path("commissioning/organisation/", views.organisation_page,
         name="commissioning-organisation"),
    path("commissioning/contracts/<str:reference>/", views.contract_detail,
         name="commissioning-contract"),
    path("commissioning/contracts/<str:reference>/stage/", views.contract_move,
         name="commissioning-move"),
]
