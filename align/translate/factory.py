"""Engine choice: build the translator the user asked for, wrapped in the translation cache."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from align.errors import AlignError
from align.translate import apertium
from align.translate.base import Translator
from align.translate.cache import CachedTranslator, TranslationCache

ENGINES = ("auto", "argos", "apertium")


def get_translator(
    engine: str = "auto",
    src: str = "fr",
    tgt: str = "en",
    *,
    cache: Path | None = None,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
    log: Callable[[str], None] | None = None,
    **options: Any,
) -> Translator:
    """The translator for `engine` ("auto", "argos" or "apertium"), cache-wrapped unless
    `use_cache` is False. `options` go to the engine (Argos: beam_size, max_batch_tokens,
    device, threads). `log` receives one-line notes on what "auto" decided."""
    inner = _build(engine, src, tgt, log or (lambda _msg: None), options)
    if not use_cache:
        return inner
    return CachedTranslator(inner, TranslationCache(cache), progress=progress)


def _build(
    engine: str, src: str, tgt: str, log: Callable[[str], None], options: dict[str, Any]
) -> Translator:
    if engine == "apertium":
        if options:
            raise AlignError(f"the apertium engine takes no options (got {', '.join(options)})")
        return apertium.ApertiumTranslator(src, tgt)
    if engine == "argos":
        from align.translate.argos import ArgosTranslator

        return ArgosTranslator(src, tgt, **options)
    if engine == "auto":
        return _auto(src, tgt, log, options)
    raise AlignError(f"unknown translation engine {engine!r}: use one of {', '.join(ENGINES)}")


def _auto(src: str, tgt: str, log: Callable[[str], None], options: dict[str, Any]) -> Translator:
    """Argos if a package is installed or can be installed now, else Apertium (installing the
    Debian packages when we may), else an error naming both ways to get an engine."""
    from align.translate import argos_packages

    why = "none installed"
    if argos_packages.find_installed(src, tgt) is None:
        try:
            argos_packages.install_from_index(src, tgt, timeout=5.0)
            log(f"installed the Argos {src}→{tgt} package from the Argos package index")
        except argos_packages.IndexUnreachable:
            why = "index unreachable"  # the usual offline case: keep it short
        except AlignError as exc:
            why = str(exc)
    if argos_packages.find_installed(src, tgt) is not None:
        from align.translate.argos import ArgosTranslator

        return ArgosTranslator(src, tgt, **options)
    if not apertium.is_available(src, tgt):
        install_apertium(src, tgt, log)
    log(f"using Apertium for {src}→{tgt} (Argos package not available: {why})")
    return apertium.ApertiumTranslator(src, tgt)


def install_apertium(src: str, tgt: str, log: Callable[[str], None]) -> None:
    """apt-get install the Apertium packages when running as root or with passwordless sudo;
    otherwise raise an error that gives the exact commands for both engines."""
    command = apertium.install_command(src, tgt).split()
    prefix = _privilege_prefix()
    if prefix is not None and shutil.which("apt-get"):
        log(f"installing Apertium: {' '.join(prefix + command)}")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        done = subprocess.run(prefix + command, env=env, check=False).returncode == 0
        if not done:  # a fresh machine may have no package lists yet
            subprocess.run(prefix + ["apt-get", "update"], env=env, check=False)
            done = subprocess.run(prefix + command, env=env, check=False).returncode == 0
        if done and apertium.is_available(src, tgt):
            return
    raise AlignError(
        f"no {src}→{tgt} translation engine: install Apertium with "
        f"`sudo {' '.join(command)}`, or an Argos model with `align models install {src} {tgt}` "
        f"(needs internet) or `align models install --file PKG.argosmodel`"
    )


def _privilege_prefix() -> list[str] | None:
    """[] when root, ["sudo", "-n"] with passwordless sudo, None when we cannot install."""
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") is None:
        return None
    probe = subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False)
    return ["sudo", "-n"] if probe.returncode == 0 else None
