"""`align translate`, `align models`, `align cache` run as a user would, in isolated folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from align.translate import apertium

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    isolated = dict(os.environ)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        isolated[var] = str(tmp_path / var.lower())
    isolated["ARGOS_PACKAGES_DIR"] = str(tmp_path / "argos")
    isolated["ALIGN_CACHE_DIR"] = str(tmp_path / "cache")
    # No Argos index reachable: `auto` must fall back quickly.
    isolated["ARGOS_PACKAGE_INDEX"] = "http://127.0.0.1:9/"
    return isolated


def run(align_exe: Path, env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(align_exe), *args], input=stdin, capture_output=True, text=True, env=env, timeout=120)


needs_apertium = pytest.mark.skipif(not apertium.is_available(), reason="Apertium fr-es/spa-eng not installed")


@pytest.mark.apertium
@needs_apertium
def test_translate_stdin_to_stdout_uses_the_cache(align_exe: Path, env: dict[str, str]) -> None:
    text = "Le chat dort.\n\nIl pleut à Paris.\nLe chat dort.\n"
    first = run(align_exe, env, "translate", "--engine", "apertium", stdin=text)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "The cat sleeps.\n\nIt rains in Paris.\nThe cat sleeps.\n"
    assert "2 new, 0 from the cache" in first.stderr
    second = run(align_exe, env, "translate", "-", "--engine", "apertium", stdin=text)
    assert second.stdout == first.stdout and "0 new, 2 from the cache" in second.stderr
    stats = run(align_exe, env, "cache", "stats")
    assert "apertium:fr-en:" in stats.stdout and "2" in stats.stdout
    cleared = run(align_exe, env, "cache", "clear")
    assert "deleted 2 cached translation(s)" in cleared.stderr


@pytest.mark.apertium
@needs_apertium
def test_translate_file_to_file_auto_offline(align_exe: Path, env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "in.fr"
    source.write_text("Bonjour.\r\nMerci.", encoding="utf-8")  # CRLF, no final newline
    out = tmp_path / "out.en"
    result = run(align_exe, env, "translate", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").count("\n") == 2
    assert "using Apertium" in result.stderr  # no Argos package, no index: fell back


def test_translate_bad_input_is_one_line_error(align_exe: Path, env: dict[str, str], tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Été à Noël\n".encode("latin-1"))
    result = run(align_exe, env, "translate", str(latin1), "--engine", "apertium")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {latin1}: not UTF-8") and result.stderr.count("\n") == 1
    missing = run(align_exe, env, "translate", str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and "nope.txt: no such file" in missing.stderr
    engine = run(align_exe, env, "translate", "--engine", "google", stdin="x\n")
    assert engine.returncode == 1 and "unknown translation engine 'google'" in engine.stderr


def test_models_install_list_translate_remove(align_exe: Path, env: dict[str, str], tmp_path: Path) -> None:
    package = tmp_path / "tiny.argosmodel"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_tiny_argos_package.py"), str(package)], check=True)
    assert "no Argos packages" in run(align_exe, env, "models", "list").stdout
    installed = run(align_exe, env, "models", "install", "--file", str(package))
    assert installed.returncode == 0, installed.stderr
    listing = run(align_exe, env, "models", "list").stdout
    assert "fr" in listing and "0.0.1" in listing and "translate-fr_en" in listing
    translated = run(align_exe, env, "translate", "--engine", "argos", "--beam-size", "1", stdin="Il pleut.\nMerci.\n")
    assert translated.returncode == 0, translated.stderr
    assert translated.stdout.count("\n") == 2 and "argos:fr-en:0.0.1:" in translated.stderr
    assert run(align_exe, env, "models", "remove", "fr", "en").returncode == 0
    gone = run(align_exe, env, "translate", "--engine", "argos", stdin="Il pleut.\n")
    assert gone.returncode == 1 and "align models install fr en" in gone.stderr


def test_models_install_usage_and_bad_file(align_exe: Path, env: dict[str, str], tmp_path: Path) -> None:
    assert run(align_exe, env, "models", "install").returncode == 2
    junk = tmp_path / "junk.argosmodel"
    junk.write_bytes(b"PK\x03\x04 not really")
    bad = run(align_exe, env, "models", "install", "--file", str(junk))
    assert bad.returncode == 1 and "junk.argosmodel" in bad.stderr
    assert not (tmp_path / "argos").exists() or list((tmp_path / "argos").iterdir()) == []
