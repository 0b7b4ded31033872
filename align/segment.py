"""Sentence segmentation: sentence-splitter per paragraph, plus the few rules a careful reader adds.

A sentence never spans paragraphs. Sentence texts are normalised (NFC, whitespace collapsed,
NBSP and narrow NBSP -> space); the raw text stays in `Document.paragraphs`.

On top of sentence-splitter (Koehn & Schroeder's Moses heuristics):
- a headline-like paragraph (short, no final punctuation) is one segment, so a rubric prefix
  such as "Guerre en Ukraine. Joe Biden autorise ..." is not cut;
- a full stop after an ordinary lowercase word ends the sentence even when the next word is
  lowercase ("a-t-il déclaré. a-t-il déclaré à la presse ..."), unless the word is a known
  abbreviation ("etc.", "cf.");
- "…" followed by a capitalised word ends the sentence, as "..." does in sentence-splitter;
- a paragraph-final one-word fragment ("... meeting. Atlantic.") is a stray word, not a sentence,
  and stays with the sentence before it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sentence_splitter import SentenceSplitter

from align.atomic import write_text_atomic
from align.corpus import SUPPORTED_LANGS, Document, looks_like_headline, normalise_text, split_paragraphs
from align.errors import AlignError

_OPENERS = "«\"“‘(["
_WORD = re.compile(r"[^\W\d_]+(?:[-’'][^\W\d_]+)*")
_STRAY_WORD = re.compile(r"[^\W\d_][\w’'-]*\.")
_BREAK_CANDIDATE = re.compile(r"(?<=[.…]) +")
FORMATS = ("text", "jsonl")


@dataclass(frozen=True)
class Sentence:
    id: int  # 0-based within the document, in reading order
    paragraph: int  # index into Document.paragraphs
    text: str  # normalised


@dataclass(frozen=True)
class SegmentedDocument:
    document: Document
    sentences: tuple[Sentence, ...]

    @property
    def texts(self) -> list[str]:
        return [sentence.text for sentence in self.sentences]


def _check_lang(lang: str) -> None:
    if lang not in SUPPORTED_LANGS:
        raise AlignError(f"no sentence splitter for language {lang!r}; supported: {', '.join(SUPPORTED_LANGS)}")


@lru_cache(maxsize=None)
def _splitter(lang: str) -> SentenceSplitter:
    return SentenceSplitter(language=lang)


@lru_cache(maxsize=None)
def _abbreviations(lang: str) -> frozenset[str]:
    """sentence-splitter's own non-breaking prefixes for `lang` (e.g. "etc", "cf", "vs").

    Prefixes marked #NUMERIC_ONLY# ("no", "pp") only hold before a number, never before a word.
    """
    data = resources.files("sentence_splitter").joinpath("non_breaking_prefixes", f"{lang}.txt")
    lines = data.read_text(encoding="utf-8").splitlines()
    entries = (line.split("#", 1)[0].strip() for line in lines if "#NUMERIC_ONLY#" not in line)
    return frozenset(entry for entry in entries if entry)


def _is_extra_break(text: str, dot: int, next_start: int, lang: str) -> bool:
    """Whether the stop at text[dot] (then spaces) ends a sentence where sentence-splitter would not cut:
    before a bare lowercase word, or "…" before a capital."""
    following = text[next_start:].lstrip(_OPENERS + " ")
    if not following:
        return False
    if text[dot] == "…":
        return following[0].isupper()
    if not text[next_start].islower():  # only a bare lowercase word; an opening quote keeps a quotation whole
        return False
    word = text[:dot].rsplit(" ", 1)[-1]
    return (
        len(word) >= 2
        and _WORD.fullmatch(word) is not None
        and word.islower()
        and word not in _abbreviations(lang)
    )


def _split_paragraph(text: str, lang: str) -> list[str]:
    """Sentences of one normalised paragraph."""
    if not text:
        return []
    if looks_like_headline(text):
        return [text]
    cuts = [m.end() for m in _BREAK_CANDIDATE.finditer(text) if _is_extra_break(text, m.start() - 1, m.end(), lang)]
    bounds = [0, *cuts, len(text)]
    sentences = [
        sentence
        for start, end in zip(bounds, bounds[1:])
        for sentence in _splitter(lang).split(text[start:end].strip())
        if sentence
    ]
    if len(sentences) >= 2 and _STRAY_WORD.fullmatch(sentences[-1]):
        sentences[-2:] = [f"{sentences[-2]} {sentences[-1]}"]
    return sentences


def split_sentences(text: str, lang: str) -> list[str]:
    """Normalised sentences of `text` ("fr" or "en"); paragraphs as in `split_paragraphs`."""
    _check_lang(lang)
    return [s for paragraph in split_paragraphs(text) for s in _split_paragraph(normalise_text(paragraph), lang)]


def segment_document(doc: Document) -> SegmentedDocument:
    """Split every paragraph of `doc` into sentences with stable 0-based ids."""
    _check_lang(doc.lang)
    texts = [
        (index, sentence)
        for index, paragraph in enumerate(doc.paragraphs)
        for sentence in _split_paragraph(normalise_text(paragraph), doc.lang)
    ]
    sentences = tuple(Sentence(id=i, paragraph=p, text=t) for i, (p, t) in enumerate(texts))
    return SegmentedDocument(document=doc, sentences=sentences)


def format_sentences(segmented: SegmentedDocument, fmt: str = "text") -> str:
    """One sentence per line ("text"), or one JSON object per sentence ("jsonl")."""
    if fmt == "text":
        return "".join(f"{sentence.text}\n" for sentence in segmented.sentences)
    if fmt == "jsonl":
        doc = segmented.document
        return "".join(
            json.dumps(
                {"doc_id": doc.id, "lang": doc.lang, "sentence_id": s.id, "paragraph": s.paragraph, "text": s.text},
                ensure_ascii=False,
            )
            + "\n"
            for s in segmented.sentences
        )
    raise AlignError(f"unknown sentence format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_segmented(documents: Sequence[SegmentedDocument], out_dir: str | Path, fmt: str = "text") -> list[Path]:
    """Write one file per document (`<id>.txt` or `<id>.jsonl`) into `out_dir`, each atomically."""
    out = Path(out_dir)
    if fmt not in FORMATS:
        raise AlignError(f"unknown sentence format {fmt!r}; use one of {', '.join(FORMATS)}")
    if out.exists() and not out.is_dir():
        raise AlignError(f"{out}: exists and is not a folder; choose another output folder")
    suffix = ".txt" if fmt == "text" else ".jsonl"
    # Ids from JSONL may contain anything; file names must stay inside `out`.
    names = [re.sub(r"[^\w.-]", "_", s.document.id).lstrip(".") or "_" for s in documents]
    if len(set(names)) < len(names):
        raise AlignError(f"{out}: document ids map to the same file name; make the ids unique")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AlignError(f"{out}: cannot write sentences ({exc.strerror}); check the folder's permissions") from None
    written: list[Path] = []
    for segmented, name in zip(documents, names):
        target = out / f"{name}{suffix}"
        write_text_atomic(target, format_sentences(segmented, fmt), what="sentences")
        written.append(target)
    return written
