"""Shared fixtures: paths to the demo corpus and to the installed `align` command."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The demo corpus: two English and three French articles (see corpus/README.md)."""
    return REPO / "corpus"


@pytest.fixture(scope="session")
def align_exe() -> Path:
    """The `align` console script of the virtualenv running the tests."""
    return Path(sys.executable).parent / "align"
