"""URL configuration: sign-in, case pages, the JSON API and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from omp.web import gaming_views, handover_views, outcomes_views, views
from omp.web.api import api
from omp.web.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(
        redirect_authenticated_user=True, authentication_form=SignInForm), name="login"),
    # Django's LogoutView accepts POST only, so a link or prefetch cannot sign anyone out.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", views.case_search, name="case-search"),
    path("cases/<str:case_ref>/", views.case_detail, name="case-detail"),
    path("cases/<str:case_ref>/scores/", views.case_scores, name="case-scores"),
    path("cases/<str:case_ref>/override/", handover_views.case_override, name="case-override"),
    path("cases/<str:case_ref>/custody/", handover_views.case_custody, name="case-custody"),
    path("handovers/", handover_views.handover_lists, name="handover-lists"),
    path("handovers/what-if/", handover_views.what_if, name="handover-what-if"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Outcomes, payment by results and monitoring (OUT-2..6): aggregates for commissioners.
    # The monitoring page comes before the results pages, whose slug would match it.
    path("outcomes/monitoring/", gaming_views.monitoring, name="outcomes-monitoring"),
    path("outcomes/", outcomes_views.outcomes_index, name="outcomes-index"),
    path("outcomes/<slug:slug>/", outcomes_views.outcomes_results, name="outcomes-results"),
    path("outcomes/<slug:slug>/<slug:table>.csv", outcomes_views.outcomes_csv,
         name="outcomes-csv"),
]
