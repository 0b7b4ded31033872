"""Ingest: read news articles (.txt, .jsonl, .html) into typed `Document` records.

Nothing here raises for a bad article: each unreadable file (or JSONL line) becomes a
`Skipped` entry with a one-line reason, and the rest of the corpus is still read. Only a
path that does not exist is an `AlignError`, because it is almost always a typo.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import charset_normalizer
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from align.errors import AlignError
from align.jsonl import json_object_lines

SUPPORTED_LANGS = ("en", "fr")
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl",)
HTML_SUFFIXES = (".html", ".htm")
ARTICLE_SUFFIXES = TEXT_SUFFIXES + JSONL_SUFFIXES + HTML_SUFFIXES
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Non-UTF-8 French or English text is in a Western European encoding; letting charset-normalizer
# consider every code page turns garbage into "Korean" instead of reporting it as undecodable.
LEGACY_ENCODINGS = ("cp1252", "iso8859_15", "latin_1", "mac_roman")

# A headline is short and does not end like a sentence; longer unpunctuated paragraphs are
# more likely truncated prose than titles.
HEADLINE_MAX_WORDS = 30
# Below this, the identification is a guess (a few words, names, boilerplate): ask the user.
LANG_MIN_CONFIDENCE = 0.5
_SENTENCE_END = ".!?…"
_CLOSERS = "\"'»”’)]"
# Invisible characters that only get in the way of matching and splitting.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"\s+")  # Unicode-aware: also NBSP, narrow NBSP, figure space, tabs, newlines


@dataclass(frozen=True)
class Document:
    """One article. `paragraphs` are the raw text (not normalised) so nothing is lost."""

    id: str
    lang: str
    lang_confidence: float
    title: str | None
    paragraphs: tuple[str, ...]
    source: str
    sha256: str
    url: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Skipped:
    """An input that was not ingested; `reason` says why and what to do."""

    path: str
    reason: str


@dataclass(frozen=True)
class Corpus:
    documents: list[Document]
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # ingested, but the user should know


def normalise_text(text: str) -> str:
    """NFC, drop invisible characters, every whitespace run (NBSP, narrow NBSP, newlines) -> one space."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


def looks_like_headline(text: str) -> bool:
    """True for a short line that does not end like a sentence (a headline, rubric or caption)."""
    text = normalise_text(text).rstrip(_CLOSERS + " ")
    return bool(text) and text[-1] not in _SENTENCE_END and len(text.split()) <= HEADLINE_MAX_WORDS


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Paragraphs are separated by blank lines; a text without any blank line has one paragraph per line.

    The paragraphs are returned raw (only outer whitespace stripped).
    """
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    has_blank_separator = any(not line.strip() for line in lines[first : last + 1])
    if not has_blank_separator:
        return tuple(line.strip() for line in lines if line.strip())
    paragraphs: list[str] = []
    block: list[str] = []
    for line in lines + [""]:
        if line.strip():
            block.append(line)
        elif block:
            paragraphs.append("\n".join(block).strip())
            block = []
    return tuple(paragraphs)


def guess_title(paragraphs: Sequence[str]) -> str | None:
    """The longest headline-like paragraph among those that open the article.

    Pages often open with a rubric or site name before the real headline (seed 002:
    "Les nouvelles les plus importantes de la journée", then the headline twice); the
    headline is the longest of these opening lines.
    """
    opening: list[str] = []
    for paragraph in paragraphs[:3]:
        if not looks_like_headline(paragraph):
            break
        opening.append(normalise_text(paragraph))
    return max(opening, key=len) if opening else None


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability) of the most likely language, by py3langid."""
    lang, confidence = _identifier().classify(normalise_text(text))
    return lang, round(float(confidence), 4)


def _normalise_lang_code(code: str) -> str:
    """'FR', 'fr-FR', 'fr_CA' -> 'fr'."""
    return re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]


def check_lang(code: str) -> str:
    """Validate a language given by the user; AlignError if it is not French or English."""
    lang = _normalise_lang_code(code)
    if lang not in SUPPORTED_LANGS:
        raise AlignError(f"unsupported language {code!r}: use one of {', '.join(SUPPORTED_LANGS)}")
    return lang


class _Unreadable(Exception):
    """A file that cannot be decoded; the message is the reason shown to the user."""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM, else charset-normalizer's guess
    among LEGACY_ENCODINGS."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _Unreadable("starts like UTF-16 but is not valid UTF-16; re-save the file as UTF-8") from None
    if b"\x00" in data:
        raise _Unreadable("binary file (contains NUL bytes), not text; remove it from the corpus")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    best = charset_normalizer.from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if best is None:
        raise _Unreadable(
            f"not valid UTF-8 (bad byte at offset {first_bad}) and no other text encoding fits; "
            "re-save the file as UTF-8"
        )
    return str(best), best.encoding


def _paragraph_record(
    *,
    doc_id: str,
    text: str,
    source: Path,
    lang: str | None,
    title: str | None = None,
    url: str | None = None,
    date: str | None = None,
) -> Document | str:
    """A Document from decoded text, or the reason why there is none."""
    paragraphs = split_paragraphs(text)
    if not paragraphs:
        return "no text (empty or whitespace only); add the article text or remove the file"
    if lang is not None:
        confidence = 1.0
    else:
        lang, confidence = detect_language(text)
        if confidence < LANG_MIN_CONFIDENCE:
            return (
                f"language unclear (best guess {lang!r}, p={confidence:.2f}); "
                "pass --lang fr|en if it is an article, or remove it"
            )
        if lang not in SUPPORTED_LANGS:
            return (
                f"language identified as {lang!r} (p={confidence:.2f}), not French or English; "
                "remove it, or pass --lang fr|en if the identification is wrong"
            )
    return Document(
        id=doc_id,
        lang=lang,
        lang_confidence=confidence,
        title=normalise_text(title) if title else guess_title(paragraphs),
        paragraphs=paragraphs,
        source=str(source),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        url=url,
        date=date,
    )


def _read_text(path: Path, max_bytes: int, warnings: list[str]) -> str:
    size = path.stat().st_size
    if size > max_bytes:
        raise _Unreadable(
            f"file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:g} MB limit; "
            "split it or raise the limit (--max-size)"
        )
    if size == 0:
        raise _Unreadable("empty file; add the article text or remove the file")
    text, encoding = decode_bytes(path.read_bytes())
    if encoding not in ("utf-8", "ascii"):
        warnings.append(f"{path}: decoded as {encoding} (not UTF-8); re-save it as UTF-8 to be sure")
    return text


_JSONL_OPTIONAL = ("lang", "title", "url", "date")


def _jsonl_records(path: Path, text: str, lang: str | None) -> Iterator[Document | Skipped]:
    if not text.strip():
        yield Skipped(str(path), "no JSON lines (only blank lines); add one article per line or remove the file")
    for lineno, record in json_object_lines(text.splitlines(), '{"id": ..., "text": ...}'):
        where = f"{path}:{lineno}"
        if isinstance(record, str):
            yield Skipped(where, f"{record}; fix or remove this line")
            continue
        doc_id, body = record.get("id"), record.get("text")
        if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool) or str(doc_id).strip() == "":
            yield Skipped(where, 'missing "id" (a non-empty string); add one to this line')
            continue
        if not isinstance(body, str):
            yield Skipped(where, 'missing "text" (a string); add the article text to this line')
            continue
        bad = [key for key in _JSONL_OPTIONAL if record.get(key) is not None and not isinstance(record[key], str)]
        if bad:
            yield Skipped(where, f"field {bad[0]!r} must be a string; fix this line")
            continue
        record_lang = lang
        if record.get("lang"):
            record_lang = _normalise_lang_code(record["lang"])
            if record_lang not in SUPPORTED_LANGS:
                yield Skipped(where, f"lang {record['lang']!r} is not French or English; remove this line")
                continue
        result = _paragraph_record(
            doc_id=str(doc_id).strip(),
            text=body,
            source=path,
            lang=record_lang,
            title=record.get("title"),
            url=record.get("url"),
            date=record.get("date"),
        )
        yield result if isinstance(result, Document) else Skipped(where, result)


def _html_record(path: Path, html: str, lang: str | None) -> Document | str:
    import trafilatura  # takes most of a second to import; only HTML needs it

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    text = extracted.text if extracted is not None else None
    if not text or not text.strip():
        return "no article text found in this HTML page; is it an article page?"
    return _paragraph_record(
        doc_id=path.stem,
        text=text,
        source=path,
        lang=lang,
        title=extracted.title,
        url=extracted.url,
        date=extracted.date,
    )


def _read_file(path: Path, lang: str | None, max_bytes: int, warnings: list[str]) -> Iterator[Document | Skipped]:
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        yield Skipped(
            str(path), f"unsupported file type {path.suffix or '(none)'!r}; use {', '.join(ARTICLE_SUFFIXES)}"
        )
        return
    try:
        text = _read_text(path, max_bytes, warnings)
    except _Unreadable as exc:
        yield Skipped(str(path), str(exc))
        return
    except OSError as exc:
        yield Skipped(str(path), f"cannot read ({exc.strerror}); check its permissions")
        return
    if suffix in JSONL_SUFFIXES:
        yield from _jsonl_records(path, text, lang)
        return
    if suffix in HTML_SUFFIXES:
        result = _html_record(path, text, lang)
    else:
        result = _paragraph_record(doc_id=path.stem, text=text, source=path, lang=lang)
    yield result if isinstance(result, Document) else Skipped(str(path), result)


def _is_article_in_folder(path: Path, root: Path) -> bool:
    """Inside a folder, only supported article files count; READMEs, notes and hidden files are ignored."""
    relative = path.relative_to(root)
    return (
        path.is_file()
        and path.suffix.lower() in ARTICLE_SUFFIXES
        and not path.name.upper().startswith("README")
        and not any(part.startswith(".") for part in relative.parts)
    )


def _expand(paths: Sequence[str | Path]) -> tuple[list[Path], list[Skipped]]:
    """Files to read, in a stable order; folders are searched recursively."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise AlignError(f"{path}: no such file or folder; check the path")
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if _is_article_in_folder(p, path))
            if not found:
                skipped.append(
                    Skipped(str(path), f"folder has no articles ({', '.join(ARTICLE_SUFFIXES)} files)")
                )
            files.extend(found)
        else:
            files.append(path)
    unique = list(dict.fromkeys(files))
    return unique, skipped


def load_corpus(
    paths: Sequence[str | Path], lang: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Corpus:
    """Read articles from files and folders into Documents (sorted by id).

    `lang` ("fr" or "en") is used for every document that does not carry its own JSONL
    `lang` field; without it the language is identified with py3langid and documents in
    other languages are skipped. Files over `max_bytes` are skipped.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    lang = check_lang(lang) if lang is not None else None
    files, skipped = _expand(paths)
    warnings: list[str] = []
    by_id: dict[str, Document] = {}
    for path in files:
        for item in _read_file(path, lang, max_bytes, warnings):
            if isinstance(item, Skipped):
                skipped.append(item)
            elif item.id in by_id:
                skipped.append(
                    Skipped(
                        item.source,
                        f"duplicate document id {item.id!r} (also in {by_id[item.id].source}); rename one",
                    )
                )
            else:
                by_id[item.id] = item
    return Corpus(documents=sorted(by_id.values(), key=lambda d: d.id), skipped=skipped, warnings=warnings)
