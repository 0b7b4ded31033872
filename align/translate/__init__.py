"""Offline fr↔en translation: Argos (CTranslate2), Apertium, provided translations, SQLite cache.

Importing this package never imports `argostranslate` (it writes to the home folder at import).
"""

from __future__ import annotations

from align.translate.base import Translator, clean_sentence, split_long
from align.translate.cache import (
    CacheCounters,
    CachedTranslator,
    TranslationCache,
    default_cache_path,
)
from align.translate.factory import ENGINES, get_translator
from align.translate.provided import ProvidedTranslator, load_provided

__all__ = [
    "ENGINES",
    "CacheCounters",
    "CachedTranslator",
    "ProvidedTranslator",
    "TranslationCache",
    "Translator",
    "clean_sentence",
    "default_cache_path",
    "get_translator",
    "load_provided",
    "split_long",
]
