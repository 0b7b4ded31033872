"""Apertium (rule-based, Debian packages) behind the `Translator` interface.

French→English has no direct pair, so it pivots through Spanish (fr-es, then spa-eng); the
reverse is eng-spa then es-fr. Plain line mode can move words across line breaks, so we run the
pairs' mode pipelines in null-flush mode (`apertium-wblank-mode -z`): every sentence is sent as
"escaped text\\n\\0" and each NUL in the output closes exactly one translation. One long-lived
pipeline process per translator serves every batch, which is what makes it fast.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO, NoReturn

from align.errors import AlignError
from align.translate.base import Translator

# (src, tgt) -> mode name as installed in the modes folder.
DIRECT_MODES: dict[tuple[str, str], str] = {
    ("fr", "es"): "fr-es",
    ("es", "fr"): "es-fr",
    ("es", "en"): "spa-eng",
    ("en", "es"): "eng-spa",
}
# mode name -> Debian package that provides it.
MODE_PACKAGES: dict[str, str] = {
    "fr-es": "apertium-fr-es",
    "es-fr": "apertium-fr-es",
    "spa-eng": "apertium-eng-spa",
    "eng-spa": "apertium-eng-spa",
}
PIVOT = "es"
DEFAULT_MODES_DIR = Path("/usr/share/apertium/modes")
# No output for this long while sentences are pending means the pipeline is stuck.
READ_TIMEOUT_S = 120.0

# Characters that are markup in the Apertium stream format are backslash-escaped; "~" is
# consumed by post-generation even when escaped, so it travels in a superblank instead.
_ESCAPES = {c: "\\" + c for c in "\\^$@[]/<>{}"}
_ESCAPES["~"] = "[~]"
_ESCAPE_TABLE = str.maketrans(_ESCAPES)


def modes_dir() -> Path:
    """Where the .mode files live (`APERTIUM_DATADIR`/modes if set, as the `apertium` script)."""
    data_dir = os.environ.get("APERTIUM_DATADIR")
    return Path(data_dir) / "modes" if data_dir else DEFAULT_MODES_DIR


def route(src: str, tgt: str) -> list[str]:
    """Mode names to chain for src→tgt: a direct pair, or two pairs through Spanish."""
    if (src, tgt) in DIRECT_MODES:
        return [DIRECT_MODES[(src, tgt)]]
    if (src, PIVOT) in DIRECT_MODES and (PIVOT, tgt) in DIRECT_MODES:
        return [DIRECT_MODES[(src, PIVOT)], DIRECT_MODES[(PIVOT, tgt)]]
    raise AlignError(f"Apertium engine: no {src}→{tgt} route (supported: fr, en, es)")


def install_command(src: str = "fr", tgt: str = "en") -> str:
    """The apt-get command that installs everything the src→tgt route needs."""
    packages = ["apertium", "apertium-lex-tools"]
    packages += sorted({MODE_PACKAGES[mode] for mode in route(src, tgt)})
    return "apt-get install -y " + " ".join(packages)


def missing(src: str = "fr", tgt: str = "en") -> list[str]:
    """What is missing for src→tgt (tools or .mode files); empty when Apertium can run."""
    problems = [tool for tool in ("apertium-wblank-mode", "lt-proc") if shutil.which(tool) is None]
    problems += [
        str(modes_dir() / f"{mode}.mode")
        for mode in route(src, tgt)
        if not (modes_dir() / f"{mode}.mode").is_file()
    ]
    return problems


def is_available(src: str = "fr", tgt: str = "en") -> bool:
    return not missing(src, tgt)


def escape(sentence: str) -> str:
    """Escape Apertium stream markup so the sentence is read as plain text."""
    return sentence.translate(_ESCAPE_TABLE)


def unescape(text: str) -> str:
    """Undo stream escaping in the output: drop backslashes and superblank brackets."""
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            out.append(next(chars, ""))
        elif char not in "[]":
            out.append(char)
    return "".join(out)


def _package_versions(modes: list[str]) -> str:
    """Versions of the engine and pair packages, for the translator id (cache key)."""
    packages = ["apertium"] + sorted({MODE_PACKAGES[m] for m in modes})
    versions = []
    for package in packages:
        try:
            result = subprocess.run(
                ["dpkg-query", "-W", "-f", "${Version}", package],
                capture_output=True,
                text=True,
                check=False,
            )
            version = result.stdout.strip() if result.returncode == 0 else "unknown"
        except OSError:
            version = "unknown"
        versions.append(f"{package.removeprefix('apertium-') or package}={version}")
    return "+".join(versions)


class ApertiumTranslator(Translator):
    """Rule-based translation through a long-lived null-flush Apertium pipeline."""

    max_chars = 2000

    def __init__(self, src: str = "fr", tgt: str = "en") -> None:
        self.src, self.tgt = src, tgt
        self.modes = route(src, tgt)
        problems = missing(src, tgt)
        if problems:
            raise AlignError(
                f"Apertium {src}→{tgt} is not installed (missing {', '.join(problems)}): "
                f"run `sudo {install_command(src, tgt)}`"
            )
        self.id = f"apertium:{src}-{tgt}:{_package_versions(self.modes)}"
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None  # the pipeline's error output, for messages
        self._buffer = b""

    def _command(self) -> str:
        stages = []
        for mode in self.modes:
            result = subprocess.run(
                ["apertium-wblank-mode", "-z", str(modes_dir() / f"{mode}.mode")],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0 or not result.stdout.strip():
                raise AlignError(
                    f"apertium-wblank-mode could not read {modes_dir() / f'{mode}.mode'}: "
                    f"reinstall with `sudo {install_command(self.src, self.tgt)}`"
                )
            stages.append(result.stdout.strip())
        return " | ".join(stages)

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is not None:
            self._kill()  # died since the last batch: release it and start a new one
        if self._process is None:
            if self._stderr is None:
                self._stderr = tempfile.TemporaryFile()
            env = dict(os.environ, LC_ALL="C.UTF-8")
            # $1 = generation option (-n: no unknown-word marks, like `apertium -u`), $2 = tagger option.
            self._process = subprocess.Popen(
                ["bash", "-c", self._command(), "apertium", "-n", ""],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=env,
                start_new_session=True,  # so close() can end the whole pipeline group
            )
            self._buffer = b""
        return self._process

    def _translate_batch(self, sentences: list[str]) -> list[str]:
        with self._lock:
            process = self._start()
            assert process.stdin is not None and process.stdout is not None
            payload = b"".join(escape(s).encode("utf-8") + b"\n\0" for s in sentences)
            writer = threading.Thread(target=self._write, args=(process, payload), daemon=True)
            writer.start()
            chunks = self._read_chunks(process, len(sentences))
            writer.join()
        return [unescape(chunk.decode("utf-8", errors="replace")).strip() for chunk in chunks]

    @staticmethod
    def _write(process: subprocess.Popen[bytes], payload: bytes) -> None:
        assert process.stdin is not None
        try:
            process.stdin.write(payload)
            process.stdin.flush()
        except BrokenPipeError:
            pass  # the reader reports the dead pipeline with its stderr

    def _read_chunks(self, process: subprocess.Popen[bytes], count: int) -> list[bytes]:
        assert process.stdout is not None
        fd = process.stdout.fileno()
        while self._buffer.count(b"\0") < count:
            ready, _, _ = select.select([fd], [], [], READ_TIMEOUT_S)
            data = os.read(fd, 1 << 16) if ready else b""
            if not data:
                self._fail("stopped answering" if not ready else "exited")
            self._buffer += data
        parts = self._buffer.split(b"\0")
        self._buffer = b"\0".join(parts[count:])
        return parts[:count]

    def _fail(self, what: str) -> NoReturn:
        detail: list[str] = []
        if self._stderr is not None:
            self._stderr.seek(0)
            detail = self._stderr.read().decode("utf-8", errors="replace").strip().splitlines()
        self._kill()
        last = detail[-1] if detail else "no error output"
        raise AlignError(
            f"Apertium pipeline {'+'.join(self.modes)} {what} ({last}); "
            f"check the installation: `sudo {install_command(self.src, self.tgt)}`"
        )

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass  # stdin of a dead pipeline: nothing left to flush

    def close(self) -> None:
        process = self._process
        if process is not None and process.stdin is not None:
            try:
                process.stdin.close()
                process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown: nothing left to report to
            pass
