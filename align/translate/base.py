"""The one interface every translation engine implements, plus input clean-up shared by all.

Engines only ever see clean, non-empty sentences of bounded length: `Translator.translate`
removes control characters, answers empty sentences with an empty translation, and splits
sentences longer than the engine's `max_chars` into pieces whose translations are joined back.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from types import TracebackType

from align.errors import AlignError

_SPACES = re.compile(r"\s+")
# Prefer cutting an over-long sentence after punctuation, else at any space.
_SOFT_BREAK = re.compile(r"[.;:!?,)»\]]\s")


def clean_sentence(text: str) -> str:
    """Turn line breaks/tabs/NUL into spaces, drop other control and format characters, and
    collapse spaces: engines are line- or NUL-framed, so these would break the 1:1 mapping."""
    return _SPACES.sub(" ", "".join(_clean_char(c) for c in text)).strip()


def _clean_char(char: str) -> str:
    if char.isspace() or char == "\0":
        return " "
    if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs"):
        return ""
    return char


def split_long(text: str, max_chars: int) -> list[str]:
    """Split `text` into pieces of at most `max_chars` characters, at a punctuation mark or a
    space when there is one in the second half of the window, else mid-word."""
    pieces: list[str] = []
    rest = text
    while len(rest) > max_chars:
        window = rest[: max_chars + 1]
        cut = -1
        for match in _SOFT_BREAK.finditer(window):
            cut = match.start() + 1
        if cut < max_chars // 2:
            cut = window.rfind(" ")
        if cut < max_chars // 2:
            cut = max_chars
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


class Translator(ABC):
    """Translates batches of already-segmented sentences, exactly one output per input, in order.

    `id` names engine, model, version and options: the cache and the dataset manifest key on it.
    """

    src: str
    tgt: str
    id: str
    #: Longer sentences are split for the engine and their translations joined with a space.
    max_chars: int = 1000

    def translate(self, sentences: Sequence[str]) -> list[str]:
        """Translate `sentences`; returns one string per sentence (empty for an empty sentence)."""
        pieces: list[str] = []
        owners: list[int] = []
        for index, sentence in enumerate(sentences):
            for piece in split_long(clean_sentence(sentence), self.max_chars):
                pieces.append(piece)
                owners.append(index)
        translated = self._translate_batch(pieces) if pieces else []
        if len(translated) != len(pieces):
            raise AlignError(
                f"{self.id} returned {len(translated)} translations for {len(pieces)} sentences"
            )
        joined: list[list[str]] = [[] for _ in sentences]
        for owner, text in zip(owners, translated):
            joined[owner].append(text.strip())
        return [" ".join(part for part in parts if part) for parts in joined]

    def translate_documents(self, documents: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        """Translate every document's sentences in one call (one engine run, one cache pass,
        repeated sentences translated once), split back per document id."""
        translated = iter(self.translate([s for sentences in documents.values() for s in sentences]))
        return {doc_id: [next(translated) for _ in sentences] for doc_id, sentences in documents.items()}

    @abstractmethod
    def _translate_batch(self, sentences: list[str]) -> list[str]:
        """Translate clean, non-empty sentences of at most `max_chars` characters."""

    def close(self) -> None:
        """Release processes or models held by the engine (idempotent)."""

    def __enter__(self) -> Translator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r})"
