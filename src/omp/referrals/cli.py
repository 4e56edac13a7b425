"""Commands of the referrals domain: ``omp referrals demo-staff`` links demo provider users to
provider organisations, so that each sees only its own referrals (REF-9). ``commands`` is
assembled into the ``omp`` command by ``omp.cli``."""

from __future__ import annotations

import typer

from omp.commandline import console, django_setup

commands = typer.Typer()
referrals_app = typer.Typer(help="Referrals to commissioned services (REF-1..9).",
                            no_args_is_help=True)
commands.add_typer(referrals_app, name="referrals")

#: Demo provider users and the organisation each works for: two providers, to show that
#: neither sees the other's referrals.
DEMO_STAFF = {"provider": "NWH", "provider_recovery": "SCR"}


@referrals_app.command("demo-staff")
def demo_staff(password: str = typer.Option("demo-password-1", help="For users created here")
               ) -> None:
    """Create the demo provider users that are missing and link each to its provider."""
    django_setup()
    from omp.referrals.actions import link_provider_staff

    for username, code in DEMO_STAFF.items():
        created = link_provider_staff(username, code, password)
        console.print(f"{username}: {'created and ' if created else ''}linked to {code}")
