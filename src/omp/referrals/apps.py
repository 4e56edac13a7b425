from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "omp.referrals"
    label = "referrals"
    verbose_name = "Referrals to commissioned services"

    def ready(self) -> None:
        """Put the person's referrals on the case page and on their custody timeline."""
        from omp.cases.sections import register
        from omp.custody.timeline import register as on_the_timeline
        from omp.referrals.queries import timeline_entries
        from omp.referrals.views import CASE_PAGE_PART

        register(CASE_PAGE_PART)
        on_the_timeline("referrals", timeline_entries)
