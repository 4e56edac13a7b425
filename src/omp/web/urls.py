"""URL configuration: sign-in, case pages, the JSON API and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from omp.web import gaming_views, views
from omp.web.api import api
from omp.web.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(
        redirect_authenticated_user=True, authentication_form=SignInForm), name="login"),
    # Django's LogoutView accepts POST only, so a link or prefetch cannot sign anyone out.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", views.case_search, name="case-search"),
    path("cases/<str:case_ref>/", views.case_detail, name="case-detail"),
    path("cases/<str:case_ref>/scores/", views.case_scores, name="case-scores"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("outcomes/monitoring/", gaming_views.monitoring, name="outcomes-monitoring"),
]
