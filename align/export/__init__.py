"""Writing and reading dataset folders.

A dataset folder holds the Hugging Face ``save_to_disk`` files at its root (so
``datasets.load_from_disk(folder)`` gives a DatasetDict with a ``test`` split),
the other formats asked for (``test.parquet``, ``test.jsonl``, ``test.tsv``,
``test.fr``/``test.en``, ``test.tmx``), ``documents.jsonl`` (the full segmented text of the
paired documents, for review), ``manifest.json`` and the dataset card ``README.md``.
Folders are built next to their destination and renamed into place, so a reader never
sees a half-written one.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from align import __version__
from align.atomic import atomic_folder
from align.errors import AlignError
from align.export.card import render_card, score_distribution
from align.export.formats import (
    DEFAULT_FORMATS,
    FEATURES,
    FORMATS,
    READERS,
    SPLIT,
    WRITERS,
    write_hf,
)
from align.scoring import PairRecord

__all__ = [
    "DEFAULT_FORMATS",
    "DOCUMENTS",
    "FEATURES",
    "FORMATS",
    "MANIFEST",
    "SPLIT",
    "DocumentText",
    "atomic_folder",
    "check_destination",
    "export_dataset",
    "library_versions",
    "load_manifest",
    "load_records",
    "parse_formats",
    "read_documents",
    "save_dataset",
]

MANIFEST = "manifest.json"
DOCUMENTS = "documents.jsonl"
CARD = "README.md"
_LIBRARIES = ("datasets", "pyarrow", "sacrebleu", "sentence-splitter", "py3langid", "argos-translate-lt",
              "ctranslate2")


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"hf,jsonl"`` -> ``("hf", "jsonl")``, in canonical order; unknown names are a user error."""
    names = [n.strip().lower() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    unknown = sorted(set(names) - set(FORMATS))
    if unknown:
        raise AlignError(f"unknown output format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    if not names:
        raise AlignError(f"no output format given; choose from {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in names)


def library_versions() -> dict[str, str]:
    """Versions of Python, align and the libraries that shape the output."""
    versions = {"python": platform.python_version(), "align": __version__}
    for name in _LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return versions


def _is_dataset_folder(path: Path) -> bool:
    return (path / MANIFEST).is_file()


def check_destination(out_dir: Path, *, overwrite: bool) -> None:
    """Fail early (before any work) if ``out_dir`` cannot be (re)placed by a dataset."""
    if not out_dir.exists():
        if out_dir.parent.exists() and not out_dir.parent.is_dir():
            raise AlignError(f"{out_dir.parent} is a file; choose another output folder")
        return
    if not out_dir.is_dir():
        raise AlignError(f"{out_dir} is a file, not a dataset folder; choose another output folder")
    if not overwrite:
        raise AlignError(f"{out_dir} already exists; pass --overwrite to replace it")
    if any(out_dir.iterdir()) and not _is_dataset_folder(out_dir):
        # --overwrite removes the folder: never do that to something this tool did not write.
        raise AlignError(f"{out_dir} is not empty and has no {MANIFEST}; refusing to replace it")


@dataclass(frozen=True)
class DocumentText:
    """A paired document as the pipeline segmented it: the dataset keeps only aligned pairs, this
    keeps the whole article (unaligned sentences included) for review pages."""

    id: str
    lang: str
    title: str | None
    sentences: tuple[str, ...]


def _write_documents(documents: Sequence[DocumentText], path: Path) -> None:
    """One JSON line per document, French then English, by id (deterministic bytes)."""
    ordered = sorted(documents, key=lambda d: (d.lang != "fr", d.lang, d.id))
    path.write_text(
        "".join(json.dumps({"id": d.id, "lang": d.lang, "title": d.title, "sentences": list(d.sentences)},
                           ensure_ascii=False) + "\n" for d in ordered),
        encoding="utf-8",
    )


def read_documents(out_dir: str | Path) -> list[DocumentText] | None:
    """The documents of a dataset folder's ``documents.jsonl``, or None if it has none."""
    path = Path(out_dir) / DOCUMENTS
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AlignError(f"{path} cannot be read ({exc}); re-run `align run`") from None
    try:
        return [
            DocumentText(str(r["id"]), str(r["lang"]), r.get("title"), tuple(map(str, r["sentences"])))
            for r in map(json.loads, text.splitlines())
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AlignError(f"{path} is not a documents file written by align ({exc}); re-run `align run`") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_folder(records: Sequence[PairRecord], folder: Path, formats: Sequence[str], manifest: Mapping,
                  documents: Sequence[DocumentText] | None) -> None:
    files: list[str] = []
    if documents is not None:
        _write_documents(documents, folder / DOCUMENTS)
        files.append(DOCUMENTS)
    for fmt in formats:
        if fmt == "hf":
            files += write_hf(records, folder, description="French-English sentence pairs aligned by align",
                              license=str(manifest.get("license", "")))
        else:
            files += WRITERS[fmt](records, folder)
    full = dict(manifest)
    full.setdefault("align_version", __version__)
    full.setdefault("libraries", library_versions())
    full["formats"] = list(formats)
    full["records"] = len(records)
    full["score_distribution"] = score_distribution(records)
    full["files"] = {name: _sha256(folder / name) for name in sorted(files)}
    (folder / MANIFEST).write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / CARD).write_text(render_card(full, records), encoding="utf-8")


def save_dataset(
    records: Sequence[PairRecord],
    out_dir: str | Path,
    formats: Sequence[str] = DEFAULT_FORMATS,
    manifest: Mapping | None = None,
    *,
    documents: Sequence[DocumentText] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``records`` (in the given order) as a dataset folder at ``out_dir``, atomically.

    ``manifest`` holds the facts of the run (engine, corpus, settings, counts...); the
    formats written, file hashes, score distribution and library versions are added.
    ``documents`` (the paired documents in full) go to ``documents.jsonl``. Returns the folder.
    """
    out_dir = Path(out_dir)
    formats = parse_formats(formats)
    check_destination(out_dir, overwrite=overwrite)
    with atomic_folder(out_dir) as partial:
        _write_folder(records, partial, formats, manifest or {}, documents)
    return out_dir


def load_manifest(out_dir: str | Path) -> dict:
    """The manifest of a dataset folder; a missing or malformed one is a user error naming the file."""
    path = Path(out_dir) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        raise AlignError(f"{path} not found; is {out_dir} a dataset folder written by `align run`?") from None
    except OSError as exc:
        raise AlignError(f"{path} cannot be read ({exc.strerror}); check its permissions") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AlignError(f"{path} is not valid JSON ({exc}); re-run `align run` to rebuild it") from None
    if not isinstance(manifest, dict):
        raise AlignError(f"{path} is not a manifest (expected a JSON object); re-run `align run` to rebuild it")
    return manifest


def load_records(out_dir: str | Path) -> list[PairRecord]:
    """The pairs of a dataset folder, in dataset order, from the first complete format present."""
    folder = Path(out_dir)
    if not folder.is_dir():
        raise AlignError(f"{folder} is not a folder; give a dataset folder written by `align run`")
    for _fmt, marker, data, reader in READERS:
        if (folder / marker).is_file():
            try:
                return reader(folder)
            except (KeyError, TypeError, AttributeError) as exc:  # a column or split missing or of another type
                raise AlignError(
                    f"{folder / data} is not laid out as align writes it ({exc!r}); re-run `align run`"
                ) from None
            except (OSError, ValueError, IndexError) as exc:
                raise AlignError(f"{folder / data} cannot be read ({exc}); re-run `align run`") from None
    raise AlignError(f"{folder} holds no dataset (none of hf, parquet, jsonl); run `align run` first")


def export_dataset(out_dir: str | Path, formats: Sequence[str]) -> tuple[str, ...]:
    """Add ``formats`` to an existing dataset folder (keeping the ones it has). Returns all formats now present."""
    folder = Path(out_dir)
    records = load_records(folder)
    manifest = load_manifest(folder)
    wanted = parse_formats([*manifest.get("formats", []), *parse_formats(formats)])
    save_dataset(records, folder, wanted, manifest, documents=read_documents(folder), overwrite=True)
    return wanted
