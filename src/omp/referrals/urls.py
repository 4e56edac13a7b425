"""Referral pages."""

from django.urls import path

from omp.referrals import views

urlpatterns = [
    path("cases/<str:case_ref>/referrals/new/", views.referral_start, name="referral-start"),
    path("referrals/", views.referral_list, name="referral-list"),
    path("referrals/performance.csv", views.referral_performance_csv,
         name="referral-performance-csv"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral-detail"),
    path("referrals/<int:pk>/edit/", views.referral_edit, name="referral-edit"),
    path("referrals/<int:pk>/amend/", views.referral_amend, name="referral-amend"),
    path("referrals/<int:pk>/summary/", views.referral_summary, name="referral-summary"),
    path("referrals/<int:pk>/keyworker/", views.referral_assign, name="referral-assign"),
    path("referrals/<int:pk>/initial-assessment/", views.referral_assessment,
         name="referral-assessment"),
    path("referrals/<int:pk>/action-plan/", views.action_plan, name="referral-action-plan"),
    path("referrals/<int:pk>/action-plan/new/", views.action_plan_new,
         name="referral-action-plan-new"),
    path("referrals/<int:pk>/action-plan/approve/", views.action_plan_approve,
         name="referral-action-plan-approve"),
    path("referrals/<int:pk>/withdraw/", views.referral_withdraw, name="referral-withdraw"),
    path("referrals/<int:pk>/sessions/", views.referral_sessions, name="referral-sessions"),
    path("referrals/<int:pk>/sessions/new/", views.referral_session_new,
         name="referral-session-new"),
    path("referrals/<int:pk>/sessions/<int:appointment_id>/move/",
         views.referral_session_move, name="referral-session-move"),
    path("referrals/<int:pk>/sessions/<int:appointment_id>/attendance/",
         views.referral_session_attendance, name="referral-session-attendance"),
    path("referrals/<int:pk>/end-of-service-report/", views.end_of_service_report,
         name="referral-report"),
    path("referrals/<int:pk>/end-of-service-report/new/", views.end_of_service_report_new,
         name="referral-report-new"),
    path("referrals/<int:pk>/end-of-service-report/conclude/",
         views.end_of_service_report_conclude, name="referral-report-conclude"),
    path("referrals/<int:pk>/feedback/", views.referral_feedback, name="referral-feedback"),
    path("referrals/<int:pk>/feedback/link/", views.referral_feedback_link,
         name="referral-feedback-link"),
    path("referrals/<int:pk>/feedback/paper/", views.referral_feedback_paper,
         name="referral-feedback-paper"),
    # The person's own page: no staff account, the one-time link is the key (REF-6f).
    path("feedback/<str:token>/", views.feedback_form, name="feedback-form"),
    path("referrals/<int:pk>/messages/", views.referral_messages, name="referral-messages"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/preferences/", views.notification_preferences,
         name="notification-preferences"),
]
