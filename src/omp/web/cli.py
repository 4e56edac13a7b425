"""``omp openapi``: the published OpenAPI document of ``/api/v1/`` (with its security
schemes: the session, and providers' OAuth2 client credentials), for integrators to
generate their clients from, printed or written to a file. ``commands`` is assembled into
the ``omp`` command by ``omp.cli``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from omp.commandline import console, django_setup

commands = typer.Typer()


@commands.command("openapi")
def openapi(output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the document to this file instead of printing it")
        ] = None) -> None:
    """Print the API's OpenAPI document (JSON), as /api/v1/openapi.json publishes it."""
    django_setup()
    from omp.web.api import api

    text = json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), indent=2,
                      sort_keys=False, default=str) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text)
    console.print(f"OpenAPI document written to {output}")
