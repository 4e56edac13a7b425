"""The command line as a newcomer meets it: every command's help reads cleanly, and the
policy list speaks in words."""

from __future__ import annotations

from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from omp.cli import app

runner = CliRunner()


def _command_paths() -> list[list[str]]:
    """Every command and command group, as the arguments that reach it."""
    paths: list[list[str]] = [[]]

    def walk(command: Any, prefix: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            paths.append([*prefix, name])
            walk(sub, [*prefix, name])

    walk(get_command(app), [])
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "omp")
def test_every_help_reads_without_stray_type_names(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Show this message and exit." in result.output
    assert "<bool>" not in result.output and "<" not in result.output.split("--help")[1][:20]


@pytest.mark.django_db
def test_the_policy_list_speaks_in_words() -> None:
    result = runner.invoke(app, ["policy", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "the earliest records" in result.output and "1900" not in result.output
    assert "(seed" not in result.output
    assert "2022-10-19" in result.output  # era C starts on a real day
