"""The root URL configuration: sign-in, each domain's pages, the one JSON API and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from oauth2_provider import views as oauth2_views

from omp.web import views
from omp.web.api import api
from omp.web.forms import SignInForm

#: A case refused by its access lists has its own page (LAO-1, LAO-2).
handler403 = "omp.web.views.permission_denied"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(
        redirect_authenticated_user=True, authentication_form=SignInForm), name="login"),
    # Django's LogoutView accepts POST only, so a link or prefetch cannot sign anyone out.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/session/", views.session_status, name="session-status"),
    path("accounts/signed-out/", views.signed_out, name="signed-out"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("omp.cases.urls")),
    path("", include("omp.decisions.urls")),
    path("", include("omp.custody.urls")),
    path("", include("omp.referrals.urls")),
    path("api/v1/", api.urls),
    # REF-8: providers' API clients get their tokens here (client credentials only: no
    # authorization pages, no application management outside the admin).
    path("oauth/token/", oauth2_views.TokenView.as_view(), name="oauth-token"),
    path("admin/", admin.site.urls),
    path("", include("omp.outcomes.web.urls")),
    path("", include("omp.commissioning.urls")),
]
