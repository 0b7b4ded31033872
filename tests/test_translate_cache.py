"""The SQLite translation cache and the caching wrapper."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from align.errors import AlignError
from align.translate import CachedTranslator, TranslationCache, Translator, default_cache_path
from align.translate import apertium, get_translator


class Reverser(Translator):
    """A deterministic engine that records what it was asked and can fail on demand, to
    observe exactly which sentences reach the engine."""

    def __init__(self, fail_on_call: int | None = None) -> None:
        self.src, self.tgt, self.id = "fr", "en", "reverser:1"
        self.calls: list[list[str]] = []
        self.fail_on_call = fail_on_call

    def _translate_batch(self, sentences: list[str]) -> list[str]:
        self.calls.append(list(sentences))
        if self.fail_on_call is not None and len(self.calls) == self.fail_on_call:
            raise KeyboardInterrupt  # like a run killed mid-way
        return [s[::-1] for s in sentences]


def test_put_get_stats_clear(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "c.sqlite3")
    cache.put_many("e1", [("a", "A"), ("b", "B")])
    cache.put_many("e2", [("a", "AA")])
    assert cache.get_many("e1", ["a", "b", "c"]) == {"a": "A", "b": "B"}
    assert cache.get_many("e2", ["a", "b"]) == {"a": "AA"}
    assert [(s.engine, s.entries) for s in cache.stats()] == [("e1", 2), ("e2", 1)]
    assert cache.clear("e1") == 2
    assert cache.get_many("e1", ["a"]) == {}
    assert cache.clear() == 1
    assert cache.stats() == []
    assert cache.size_bytes() > 0
    cache.close()


def test_wal_mode_and_many_keys(tmp_path: Path) -> None:
    cache = TranslationCache(tmp_path / "c.sqlite3")
    pairs = [(f"s{i}", f"t{i}") for i in range(2500)]  # more than one lookup chunk
    cache.put_many("e", pairs)
    assert cache.get_many("e", [s for s, _ in pairs]) == dict(pairs)
    mode = sqlite3.connect(tmp_path / "c.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    cache.close()


def test_env_var_sets_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "x"))
    assert default_cache_path() == tmp_path / "x" / "translations.sqlite3"
    cache = TranslationCache()
    assert cache.path.exists()
    cache.close()


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(AlignError, match="bogus.sqlite3"):
        TranslationCache(bogus)


def test_only_unique_misses_reach_the_engine(tmp_path: Path) -> None:
    engine = Reverser()
    cached = CachedTranslator(engine, TranslationCache(tmp_path / "c.sqlite3"), batch_size=2)
    assert cached.translate(["abc", "abc", "", "de", "fg"]) == ["cba", "cba", "", "ed", "gf"]
    assert sorted(s for call in engine.calls for s in call) == ["abc", "de", "fg"]
    assert (cached.counters.hits, cached.counters.misses) == (0, 3)
    engine.calls.clear()
    assert cached.translate(["fg", "abc", "hi"]) == ["gf", "cba", "ih"]
    assert engine.calls == [["hi"]]
    assert (cached.counters.hits, cached.counters.misses) == (2, 4)
    cached.close()


def test_run_killed_midway_keeps_finished_batches(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    sentences = ["aa", "bbb", "cccc", "ddddd"]
    killed = CachedTranslator(Reverser(fail_on_call=2), TranslationCache(path), batch_size=2)
    with pytest.raises(KeyboardInterrupt):
        killed.translate(sentences)
    killed.close()
    engine = Reverser()
    resumed = CachedTranslator(engine, TranslationCache(path), batch_size=2)
    assert resumed.translate(sentences) == [s[::-1] for s in sentences]
    assert engine.calls == [["cccc", "ddddd"]]  # the first batch came from the cache
    resumed.close()


def test_progress_reports_unique_misses(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    cache = TranslationCache(tmp_path / "c.sqlite3")
    cached = CachedTranslator(
        Reverser(), cache, batch_size=2, progress=lambda done, total: seen.append((done, total))
    )
    cached.translate(["a", "b", "c", "a"])
    assert seen == [(2, 3), (3, 3)]
    cached.close()


@pytest.mark.apertium
@pytest.mark.skipif(not apertium.is_available(), reason="Apertium fr-es/spa-eng not installed")
def test_second_run_with_apertium_translates_nothing(tmp_path: Path) -> None:
    corpus = ["Le chat dort.", "Il pleut à Paris.", "Le chat dort."]
    first = get_translator("apertium", cache=tmp_path / "c.sqlite3")
    out = first.translate(corpus)
    assert first.counters.misses == 2
    first.close()
    second = get_translator("apertium", cache=tmp_path / "c.sqlite3")
    assert second.translate(corpus) == out
    assert (second.counters.hits, second.counters.misses) == (2, 0)
    assert second.inner._process is None  # noqa: SLF001 - no Apertium pipeline was started
    second.close()
