"""The ``omp`` command line: the same actions and analytics as the web, with progress bars.

Each domain defines its commands in its own ``cli.py`` as a Typer app named ``commands``;
this module only assembles them (it is the one place that imports every domain's commands,
and none of them imports it back).
"""

from __future__ import annotations

from typing import Any

import typer

from omp.commissioning.cli import commands as commissioning_commands
from omp.custody.cli import commands as custody_commands
from omp.decisions.cli import commands as decisions_commands
from omp.demo.cli import commands as demo_commands
from omp.interchange.cli import commands as interchange_commands
from omp.outcomes.cli import commands as outcomes_commands
from omp.referrals.cli import commands as referrals_commands
from omp.web.cli import commands as web_commands

#: Each domain's commands, in the order ``omp --help`` lists them.
DOMAIN_COMMANDS = (interchange_commands, decisions_commands, custody_commands,
                   referrals_commands, demo_commands, outcomes_commands,
                   commissioning_commands, web_commands)

app = typer.Typer(help="Offender management: allocation decisions, case record, interchange.",
                  no_args_is_help=True, add_completion=False)
# Commands first, then groups, each in domain order: the help lists them as a reader meets
# them (decide, import, …; then policy, payment, …).
for domain in DOMAIN_COMMANDS:
    app.registered_commands.extend(domain.registered_commands)
for domain in DOMAIN_COMMANDS:
    app.registered_groups.extend(domain.registered_groups)


def main() -> Any:
    """Entry point for ``python -m omp``."""
    return app()
