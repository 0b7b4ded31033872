"""Argos Translate package management: list, validate, install (file, URL, index), remove.

Packages live in Argos' standard folder (`argostranslate.settings.package_data_dir`, honouring
ARGOS_PACKAGES_DIR and XDG_DATA_HOME), so packages installed by `argospm` are found and ours
are usable by Argos. `argostranslate` is imported lazily: it creates its folders at import.

Installing never leaves a half-installed package: the archive is checked (zip, complete
metadata.json, no member escaping the target folder, no links), extracted into a temporary
folder next to the destination, the model is loaded, and only then renamed into place.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

from align.errors import AlignError

REQUIRED_METADATA = ("package_version", "argos_version", "from_code", "to_code")
MAX_UNPACKED_BYTES = 8 << 30  # refuse zip bombs
Progress = Callable[[int, int | None], None]  # (bytes done, bytes total or None)


@dataclass(frozen=True)
class ArgosPackage:
    """An installed Argos translation package."""

    from_code: str
    to_code: str
    version: str
    path: Path
    size_bytes: int

    @property
    def model_path(self) -> Path:
        return self.path / "model"

    @property
    def sentencepiece_path(self) -> Path:
        return self.path / "sentencepiece.model"


def _settings() -> ModuleType:
    from argostranslate import settings

    return settings


def packages_dir() -> Path:
    """The folder new packages are installed into."""
    return Path(_settings().package_data_dir)


def _version_key(version: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in version.replace("-", ".").split("."))


def _folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _read_package(path: Path) -> ArgosPackage | None:
    """The package in folder `path`, or None if it is not a translation package."""
    try:
        metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if metadata.get("type", "translate") != "translate" or not metadata.get("from_code"):
        return None
    return ArgosPackage(
        from_code=str(metadata["from_code"]),
        to_code=str(metadata.get("to_code", "")),
        version=str(metadata.get("package_version", "")),
        path=path,
        size_bytes=_folder_size(path),
    )


def read_installed_metadata(folder: Path) -> dict[str, Any]:
    """metadata.json of an installed package folder; an error says how to repair it."""
    try:
        metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AlignError(
            f"{folder / 'metadata.json'}: unreadable ({exc}): reinstall with `align models install`"
        ) from None
    absent = [key for key in REQUIRED_METADATA if not isinstance(metadata, dict) or not metadata.get(key)]
    if absent:
        raise AlignError(f"{folder / 'metadata.json'} lacks {', '.join(absent)}: reinstall the package")
    return metadata


def list_installed() -> list[ArgosPackage]:
    """Installed translation packages in every Argos package folder, sorted by languages."""
    found = []
    for folder in _settings().package_dirs:
        folder = Path(folder)
        if folder.is_dir():
            for child in sorted(folder.iterdir()):
                if child.is_dir() and not child.name.startswith("."):
                    package = _read_package(child)
                    if package is not None:
                        found.append(package)
    return sorted(found, key=lambda p: (p.from_code, p.to_code, _version_key(p.version)))


def find_installed(src: str, tgt: str) -> ArgosPackage | None:
    """The newest installed src→tgt package, if any."""
    matches = [p for p in list_installed() if (p.from_code, p.to_code) == (src, tgt)]
    return matches[-1] if matches else None


def _check_members(archive: zipfile.ZipFile, name: str) -> str:
    """Reject unsafe members; return the single top-level folder holding the package."""
    tops = set()
    total = 0
    for info in archive.infolist():
        member = PurePosixPath(info.filename)
        if (
            info.filename.startswith(("/", "\\"))
            or "\\" in info.filename
            or ".." in member.parts
            or (member.parts and ":" in member.parts[0])
        ):
            raise AlignError(f"{name}: refusing member {info.filename!r} outside the package folder")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise AlignError(f"{name}: refusing symbolic link {info.filename!r}")
        total += info.file_size
        tops.add(member.parts[0])
    if total > MAX_UNPACKED_BYTES:
        raise AlignError(f"{name}: unpacks to {total} bytes, refusing")
    if len(tops) != 1:
        raise AlignError(f"{name}: expected one top-level folder, found {len(tops)}")
    return tops.pop()


def read_metadata(path: Path) -> dict[str, Any]:
    """Validate the archive at `path` without extracting it and return its metadata."""
    if not zipfile.is_zipfile(path):
        raise AlignError(f"{path}: not an Argos package (.argosmodel files are zip archives)")
    try:
        with zipfile.ZipFile(path) as archive:
            top = _check_members(archive, str(path))
            try:
                metadata = json.loads(archive.read(f"{top}/metadata.json"))
            except KeyError:
                raise AlignError(f"{path}: no {top}/metadata.json in the package") from None
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise AlignError(f"{path}: corrupt package ({exc})") from None
    except ValueError:
        raise AlignError(f"{path}: metadata.json is not valid JSON") from None
    if not isinstance(metadata, dict):
        raise AlignError(f"{path}: metadata.json must hold a JSON object")
    absent = [key for key in REQUIRED_METADATA if not metadata.get(key)]
    if absent:
        raise AlignError(f"{path}: metadata.json lacks {', '.join(absent)}")
    for needed in ("model/model.bin", "sentencepiece.model"):
        if f"{top}/{needed}" not in names:
            raise AlignError(f"{path}: package has no {needed}")
    return metadata


def cpu_has_avx512() -> bool:
    """Whether this is an x86-64 Linux CPU with the AVX-512 subsets CTranslate2's kernels use."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    flags = next((line.partition(":")[2].split() for line in cpuinfo.splitlines()
                  if line.startswith("flags")), [])
    return {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"} <= set(flags)


def load_model(model_dir: Path, **options: Any) -> Any:
    """A `ctranslate2.Translator`, with CTranslate2's AVX-512 kernels where the CPU has them.

    CTranslate2 leaves AVX-512 out of its automatic dispatch and reads CT2_FORCE_CPU_ISA once,
    at its first model load; with it, batched int8 decoding ran 1.06-1.5x faster on an AVX-512
    CPU (scripts/bench_translate.py). A value the user set is kept.
    """
    import ctranslate2

    if "CT2_FORCE_CPU_ISA" not in os.environ and cpu_has_avx512():
        os.environ["CT2_FORCE_CPU_ISA"] = "AVX512"
    return ctranslate2.Translator(str(model_dir), **options)


def _check_loads(folder: Path, name: str) -> None:
    """Load the CTranslate2 model and the SentencePiece model; raise if either is broken."""
    import sentencepiece

    try:
        load_model(folder / "model", device="cpu", compute_type="int8")
        sentencepiece.SentencePieceProcessor(model_file=str(folder / "sentencepiece.model"))
    except Exception as exc:  # noqa: BLE001 - CTranslate2 raises assorted types for bad files
        raise AlignError(f"{name}: the model does not load ({exc})") from None


def install_file(path: Path | str) -> ArgosPackage:
    """Validate and install a local .argosmodel file; replaces an installed copy atomically."""
    path = Path(path)
    if not path.is_file():
        raise AlignError(f"{path}: no such package file")
    metadata = read_metadata(path)
    target_root = packages_dir()
    target_root.mkdir(parents=True, exist_ok=True)
    name = f"translate-{metadata['from_code']}_{metadata['to_code']}"
    destination = target_root / name
    staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=target_root))
    try:
        with zipfile.ZipFile(path) as archive:
            top = _check_members(archive, str(path))
            archive.extractall(staging)
        unpacked = staging / top
        _check_loads(unpacked, str(path))
        old = staging / "previous"
        if destination.exists():
            destination.rename(old)
        unpacked.rename(destination)
    except (zipfile.BadZipFile, OSError) as exc:
        raise AlignError(f"{path}: cannot install ({exc})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    package = _read_package(destination)
    assert package is not None, "validated metadata describes a translation package"
    return package


def _download(url: str, timeout: float, progress: Progress | None) -> Path:
    """Download `url` into a temporary file (the caller deletes it)."""
    request = urllib.request.Request(url, headers={"User-Agent": "align"})
    handle, name = tempfile.mkstemp(suffix=".argosmodel")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, open(handle, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            done = 0
            while chunk := response.read(1 << 20):
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        Path(name).unlink(missing_ok=True)
        raise AlignError(f"cannot download {url} ({exc}): check the network or the URL") from None
    return Path(name)


def install_url(url: str, *, timeout: float = 30.0, progress: Progress | None = None) -> ArgosPackage:
    """Download a .argosmodel from `url`, then install it like a local file."""
    downloaded = _download(url, timeout, progress)
    try:
        return install_file(downloaded)
    finally:
        downloaded.unlink(missing_ok=True)


class IndexUnreachable(AlignError):
    """The Argos package index could not be downloaded (typically: no internet)."""


def index_entry(src: str, tgt: str, *, timeout: float = 10.0) -> dict[str, Any]:
    """The newest src→tgt entry of the Argos package index (downloaded now, short timeout)."""
    url = _settings().remote_package_index
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            index = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise IndexUnreachable(f"cannot read the Argos package index {url} ({exc})") from None
    entries = [
        e
        for e in index
        if isinstance(e, dict) and (e.get("from_code"), e.get("to_code")) == (src, tgt)
    ]
    if not entries:
        raise AlignError(f"the Argos package index {url} has no {src}→{tgt} package")
    return max(entries, key=lambda e: _version_key(str(e.get("package_version", ""))))


def install_from_index(
    src: str, tgt: str, *, timeout: float = 30.0, progress: Progress | None = None
) -> ArgosPackage:
    """Install the src→tgt package listed in the Argos package index (needs the internet)."""
    entry = index_entry(src, tgt, timeout=timeout)
    errors = []
    for link in entry.get("links", []):
        try:
            return install_url(link, timeout=timeout, progress=progress)
        except AlignError as exc:
            errors.append(str(exc))
    raise AlignError(f"no download of the {src}→{tgt} package worked: {'; '.join(errors) or 'no links'}")


def remove(src: str, tgt: str) -> list[Path]:
    """Remove every installed src→tgt package; returns the removed folders."""
    removed = [p.path for p in list_installed() if (p.from_code, p.to_code) == (src, tgt)]
    if not removed:
        raise AlignError(f"no Argos {src}→{tgt} package is installed in {packages_dir()}")
    for folder in removed:
        shutil.rmtree(folder)
    return removed
