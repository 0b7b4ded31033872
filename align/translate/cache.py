"""SQLite translation cache keyed by translator id + source sentence, and the caching wrapper.

WAL mode lets several processes read while one writes; the wrapper commits after every engine
batch, so a run killed mid-way keeps everything it finished.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from align.errors import AlignError
from align.translate.base import Translator

CACHE_ENV = "ALIGN_CACHE_DIR"
CACHE_FILENAME = "translations.sqlite3"
_LOOKUP_CHUNK = 500  # stays under SQLite's bound-parameter limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    engine TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (engine, source)
) WITHOUT ROWID
"""


def default_cache_path() -> Path:
    """`$ALIGN_CACHE_DIR/translations.sqlite3`, else the same file in the user cache dir."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override) / CACHE_FILENAME
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("align")) / CACHE_FILENAME


@dataclass(frozen=True)
class EngineEntries:
    engine: str
    entries: int


class TranslationCache:
    """Stores translations per translator id; safe to share between processes."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # The pipeline may translate from a worker thread; sqlite3 serialises access itself.
            self._db = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except (sqlite3.DatabaseError, OSError) as exc:
            raise AlignError(
                f"cannot open translation cache {self.path} ({exc}): delete the file "
                f"or pass another --cache PATH"
            ) from None

    def get_many(self, engine: str, sources: Iterable[str]) -> dict[str, str]:
        """Cached translations of `sources` for `engine` (missing ones are absent)."""
        unique = list(dict.fromkeys(sources))
        found: dict[str, str] = {}
        for start in range(0, len(unique), _LOOKUP_CHUNK):
            chunk = unique[start : start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT source, target FROM translations WHERE engine = ? AND source IN ({marks})",
                [engine, *chunk],
            )
            found.update(rows)
        return found

    def put_many(self, engine: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Store (source, translation) pairs for `engine` in one transaction."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO translations (engine, source, target) VALUES (?, ?, ?)",
                [(engine, source, target) for source, target in pairs],
            )

    def stats(self) -> list[EngineEntries]:
        """Number of cached sentences per translator id, sorted by id."""
        rows = self._db.execute(
            "SELECT engine, COUNT(*) FROM translations GROUP BY engine ORDER BY engine"
        )
        return [EngineEntries(engine, count) for engine, count in rows]

    def clear(self, engine: str | None = None) -> int:
        """Delete the entries of `engine` (all entries if None); returns how many were deleted."""
        with self._db:
            if engine is None:
                deleted = self._db.execute("DELETE FROM translations").rowcount
            else:
                deleted = self._db.execute(
                    "DELETE FROM translations WHERE engine = ?", (engine,)
                ).rowcount
        self._db.execute("VACUUM")
        return deleted

    def size_bytes(self) -> int:
        """Bytes on disk, including the write-ahead log."""
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        return sum(f.stat().st_size for f in files if f.exists())

    def close(self) -> None:
        self._db.close()


@dataclass
class CacheCounters:
    """Unique sentences answered from the cache (hits) and translated by the engine (misses)."""

    hits: int = 0
    misses: int = 0


class CachedTranslator(Translator):
    """Asks the cache first; translates only the misses, deduplicated, committing per batch.

    `progress(done, total)` is called after each engine batch with counts of unique misses.
    """

    def __init__(
        self,
        inner: Translator,
        cache: TranslationCache,
        *,
        batch_size: int = 256,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.inner = inner
        self.cache = cache
        self.src, self.tgt, self.id = inner.src, inner.tgt, inner.id
        self.max_chars = inner.max_chars
        self.batch_size = batch_size
        self.progress = progress
        self.counters = CacheCounters()

    def _translate_batch(self, sentences: list[str]) -> list[str]:
        # Receives clean pieces (the base class cleaned and split them), so the cache is keyed
        # by exactly what the engine translates.
        unique = list(dict.fromkeys(sentences))
        known = self.cache.get_many(self.id, unique)
        # Sorting by length keeps engine batches homogeneous (less padding).
        todo = sorted((s for s in unique if s not in known), key=len)
        self.counters.hits += len(unique) - len(todo)
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            translated = self.inner.translate(batch)
            self.cache.put_many(self.id, zip(batch, translated))
            known.update(zip(batch, translated))
            self.counters.misses += len(batch)
            if self.progress is not None:
                self.progress(start + len(batch), len(todo))
        return [known[s] for s in sentences]

    def close(self) -> None:
        self.inner.close()
        self.cache.close()
