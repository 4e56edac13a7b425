from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "omp.referrals"
    label = "referrals"
    verbose_name = "Referrals to commissioned services"

    def ready(self) -> None:
        """Put the person's referrals on the case page."""
        from omp.cases.sections import register
        from omp.referrals.views import CASE_PAGE_PART

        register(CASE_PAGE_PART)
