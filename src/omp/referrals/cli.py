"""Commands of the referrals domain: ``omp referrals demo-staff`` links demo provider users to
provider organisations, so that each sees only its own referrals (REF-9);
``omp referrals deliver-webhooks`` is the worker that delivers webhook events to providers'
systems (REF-8). ``commands`` is assembled into the ``omp`` command by ``omp.cli``."""

from __future__ import annotations

import time

import typer

from omp.commandline import console, django_setup

commands = typer.Typer()
referrals_app = typer.Typer(help="Referrals to commissioned services (REF-1..9).",
                            no_args_is_help=True)
commands.add_typer(referrals_app, name="referrals")

#: Demo provider users and the organisation each works for: one for each provider of the
#: demo services, to show that none sees another's referrals.
DEMO_STAFF = {"provider": "NWH", "provider_recovery": "SCR", "provider_employment": "PFE",
              "provider_money": "BMA", "provider_wales": "CAL", "provider_women": "HWS"}


@referrals_app.command("demo-staff")
def demo_staff(password: str = typer.Option("demo-password-1", help="For users created here")
               ) -> None:
    """Create the demo provider users that are missing and link each to its provider."""
    django_setup()
    from omp.referrals.actions import link_provider_staff

    for username, code in DEMO_STAFF.items():
        created = link_provider_staff(username, code, password)
        console.print(f"{username}: {'created and ' if created else ''}linked to {code}")


@referrals_app.command("deliver-webhooks")
def deliver_webhooks(
        once: bool = typer.Option(False, "--once", help="One pass over the due events, then "
                                                        "stop"),
        max_seconds: float = typer.Option(0, "--max-seconds", min=0,
                                          help="Stop after this long (0: run until stopped)"),
        poll_seconds: float = typer.Option(5, "--poll-seconds", min=0.1,
                                           help="Wait between passes when nothing is due"),
        batch: int = typer.Option(10, "--batch", min=1, max=100,
                                   help="Events claimed per pass"),
) -> None:
    """Deliver the webhook events waiting in the outbox, retrying failures with backoff.
    Several workers may run at once (each event is claimed by one)."""
    django_setup()
    from omp.referrals.webhooks import deliver_due, waiting

    started = time.monotonic()
    totals = {"delivered": 0, "retrying": 0, "failed": 0}
    while True:
        done = deliver_due(limit=batch)
        for name in totals:
            totals[name] += getattr(done, name)
        if once or (max_seconds and time.monotonic() - started >= max_seconds):
            break
        if done.tried < batch:
            pause = poll_seconds
            if max_seconds:
                pause = min(pause, max(0.0, max_seconds - (time.monotonic() - started)))
            time.sleep(pause)
    console.print(f"Delivered {totals['delivered']}, to retry {totals['retrying']}, "
                  f"failed {totals['failed']}; {waiting()} waiting")

@referrals_app.command("api-client")
def api_client(provider: str = typer.Option(..., help="The provider's code, e.g. NWH"),
               name: str = typer.Option(..., help="What the client is, e.g. 'Case system'")
               ) -> None:
    """Create an API client for a provider's own case system (REF-8) and print its client id
    and secret: the secret is shown this once and kept only hashed. The client gets tokens
    from /oauth/token/ (client credentials) and sees only the provider's referrals."""
    django_setup()
    from omp.referrals.actions import ReferralError, create_api_client

    try:
        application, secret = create_api_client(provider, name)
    except ReferralError as error:
        for field, message in error.problems:
            console.print(f"[red]--{field}: {message}[/red]")
        raise typer.Exit(2) from None
    console.print(f"API client {application.name!r} created for service account "
                  f"{application.user.username}. Keep the secret now: it is not shown again.")
    typer.echo(f"client_id: {application.client_id}")
    typer.echo(f"client_secret: {secret}")
