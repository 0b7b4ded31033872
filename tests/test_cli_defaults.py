"""The CLI states some library defaults itself (importing the library modules would slow down every
command's start); these tests keep the two equal."""

from __future__ import annotations

import re

import typer

from align.cli import app


def _params(command: str) -> dict[str, object]:
    cmd = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    return {p.name: p for p in cmd.params}


def test_sentences_defaults_are_the_aligner_defaults() -> None:
    from align.sentalign import AlignConfig

    params = _params("sentences")
    assert params["max_side"].default == AlignConfig().max_side  # type: ignore[attr-defined]
    assert params["source_weight"].default == AlignConfig().source_weight  # type: ignore[attr-defined]
    assert params["reordered"].default == (AlignConfig().reorder_window > 0)  # type: ignore[attr-defined]


def test_evaluate_defaults_are_the_library_defaults() -> None:
    from align.evaluate import DEFAULT_BOOTSTRAP, DEFAULT_TRIALS

    params = _params("evaluate")
    assert params["bootstrap"].default == DEFAULT_BOOTSTRAP  # type: ignore[attr-defined]
    assert params["trials"].default == DEFAULT_TRIALS  # type: ignore[attr-defined]


def test_run_defaults_are_the_pipeline_defaults() -> None:
    from align.pipeline import RunConfig

    params = _params("run")
    assert tuple(params["formats"].default.split(",")) == RunConfig().formats  # type: ignore[attr-defined]
    assert params["license"].default == RunConfig().license  # type: ignore[attr-defined]
    stated = re.search(r"default ([0-9.]+)", params["min_score"].help)  # type: ignore[attr-defined]
    assert stated is not None and float(stated.group(1)) == RunConfig().scoring.min_score
