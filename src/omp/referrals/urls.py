"""Referral pages."""

from django.urls import path

from omp.referrals import views

urlpatterns = [
    path("cases/<str:case_ref>/referrals/new/", views.referral_start, name="referral-start"),
    path("referrals/", views.referral_list, name="referral-list"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral-detail"),
    path("referrals/<int:pk>/edit/", views.referral_edit, name="referral-edit"),
    path("referrals/<int:pk>/amend/", views.referral_amend, name="referral-amend"),
    path("referrals/<int:pk>/summary/", views.referral_summary, name="referral-summary"),
]
