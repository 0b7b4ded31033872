"""Translations the user already has, instead of running an engine.

Two file formats:

* a text file with one translation per line, line-aligned with the segmented source: the
  sentences of every document in document-id order, then sentence order (for one document,
  simply its sentences); the line count must match the sentence count exactly;
* a JSONL file (name ending in .jsonl) with one record per source sentence:
  ``{"doc": "<document id>", "id": <0-based sentence id>, "mt": "<translation>"}``; every
  sentence of every document needs exactly one record, and records for unknown documents or
  sentences are an error (they mean the segmentation differs).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from align.errors import AlignError
from align.jsonl import json_object_lines
from align.translate.base import Translator, clean_sentence
from align.translate.lines import read_lines


def load_provided(
    path: str | Path, documents: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """Translations from `path` for `documents` (document id → source sentences), returned as
    document id → one translation per sentence. Mismatches are an AlignError naming the file."""
    if str(path).endswith(".jsonl"):
        return _from_jsonl(Path(path), documents)
    lines = read_lines(path)
    expected = sum(len(sentences) for sentences in documents.values())
    if len(lines) != expected:
        raise AlignError(
            f"{path}: {len(lines)} lines but the segmented source has {expected} sentences; "
            f"give one translation per sentence, in document-id then sentence order"
        )
    out: dict[str, list[str]] = {}
    start = 0
    for doc_id in sorted(documents):
        count = len(documents[doc_id])
        out[doc_id] = lines[start : start + count]
        start += count
    return out


def _from_jsonl(path: Path, documents: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    found: dict[str, dict[int, str]] = {doc_id: {} for doc_id in documents}
    for lineno, record in json_object_lines(read_lines(path), '{"doc": ..., "id": ..., "mt": ...}'):
        where = f"{path}:{lineno}"
        if isinstance(record, str):
            raise AlignError(f"{where}: {record}")
        doc, sid, mt = record.get("doc"), record.get("id"), record.get("mt")
        if not isinstance(doc, str) or not isinstance(sid, int) or isinstance(sid, bool):
            raise AlignError(f'{where}: "doc" must be a string and "id" an integer')
        if not isinstance(mt, str):
            raise AlignError(f'{where}: "mt" must be a string')
        if doc not in found or not 0 <= sid < len(documents[doc]):
            raise AlignError(f"{where}: no sentence {sid} in document {doc!r} of the source")
        if sid in found[doc]:
            raise AlignError(f"{where}: second translation for sentence {sid} of {doc!r}")
        found[doc][sid] = mt
    for doc_id, sentences in documents.items():
        absent = [i for i in range(len(sentences)) if i not in found[doc_id]]
        if absent:
            raise AlignError(
                f"{path}: no translation for {len(absent)} sentence(s) of {doc_id!r} "
                f"(first: id {absent[0]})"
            )
    return {doc_id: [found[doc_id][i] for i in range(len(s))] for doc_id, s in documents.items()}


class ProvidedTranslator(Translator):
    """Answers from a mapping source sentence → translation; an unknown sentence is an error."""

    max_chars = sys.maxsize  # never split: the user translated whole sentences

    def __init__(self, mapping: Mapping[str, str], src: str = "fr", tgt: str = "en",
                 *, name: str = "provided") -> None:
        self.src, self.tgt, self.id = src, tgt, name
        self._mapping = {clean_sentence(source): target for source, target in mapping.items()}

    @classmethod
    def from_file(
        cls, path: str | Path, documents: Mapping[str, Sequence[str]], src: str = "fr", tgt: str = "en"
    ) -> ProvidedTranslator:
        """Load `path` (see the module doc) for `documents`; the id records a content hash."""
        translations = load_provided(path, documents)
        pairs = [
            (source, target)
            for doc_id in sorted(documents)
            for source, target in zip(documents[doc_id], translations[doc_id])
        ]
        digest = hashlib.sha256(json.dumps(pairs, ensure_ascii=False).encode()).hexdigest()[:12]
        return cls(dict(pairs), src, tgt, name=f"provided:{Path(path).name}:{digest}")

    def _translate_batch(self, sentences: list[str]) -> list[str]:
        missing = [s for s in sentences if s not in self._mapping]
        if missing:
            raise AlignError(
                f"{self.id}: no provided translation for {len(missing)} sentence(s), "
                f"e.g. {missing[0][:60]!r}"
            )
        return [self._mapping[s] for s in sentences]
