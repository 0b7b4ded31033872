"""Command-line interface: a thin typer layer over the Python API.

Each stage's commands live in their own section below; they parse options,
call the API function of that stage, and print.
"""

from __future__ import annotations

import sys

import typer

from align import __version__
from align.errors import AlignError

app = typer.Typer(
    name="align",
    help="Build a scored French-English parallel dataset from news articles.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"align {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Build a scored French-English parallel dataset from news articles."""


# --- ingest / segment (issue 2) -------------------------------------------

# --- translate / models / cache (issue 3) ---------------------------------

# --- sentences / documents / eval-alignment (issue 4) ---------------------

# --- run / export (issue 5) -----------------------------------------------

# --- evaluate (issue 6) ---------------------------------------------------


def main() -> None:
    """Console-script entry point: user errors become one line on stderr, exit code 1."""
    try:
        app()
    except AlignError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(1)
