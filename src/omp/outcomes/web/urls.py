"""Outcomes, payment by results and monitoring (OUT-2..6): aggregates for commissioners."""

from django.urls import path

from omp.outcomes.web.views import monitoring, results

urlpatterns = [
    # The monitoring page comes before the results pages, whose slug would match it.
    path("outcomes/monitoring/", monitoring.monitoring, name="outcomes-monitoring"),
    path("outcomes/", results.outcomes_index, name="outcomes-index"),
    path("outcomes/<slug:slug>/", results.outcomes_results, name="outcomes-results"),
    path("outcomes/<slug:slug>/<slug:table>.csv", results.outcomes_csv, name="outcomes-csv"),
]
