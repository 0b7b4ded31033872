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


@pytest.fixture(autouse=True, scope="session")
def _isolated_translation_cache(tmp_path_factory: pytest.TempPathFactory) -> object:
    """No test reads or writes the user's translation cache (tests that need their own set it)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("ALIGN_CACHE_DIR", str(tmp_path_factory.mktemp("translation-cache")))
    yield
    patch.undo()
