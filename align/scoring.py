"""Scoring of aligned sentence pairs: every signal kept, plus one combined score.

A pair comes out of sentence alignment as a :class:`Candidate` (the French and
English sides of one bead, with the machine translation of the French side).
:func:`score_candidate` measures it (chrF and BLEU of the MT against the
English side, length ratio) and runs small OpusFilter-style filters over it;
each filter that fires adds a flag, and each flag multiplies the combined score
by a penalty. :func:`select_records` then drops exact duplicates and pairs under
``--min-score`` and counts what it dropped and why.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

from sacrebleu.metrics import BLEU, CHRF

from align.corpus import detect_language, looks_like_headline, normalise_text

# Flag names, in the order used to name the reason a low-scoring pair was dropped.
IDENTICAL = "identical"
NOT_ENGLISH = "not_english"
BOILERPLATE = "boilerplate"
HEADING = "heading"
NUMBERS = "numbers_mismatch"
LENGTH_RATIO = "length_ratio"
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
FLAGS = (IDENTICAL, NOT_ENGLISH, BOILERPLATE, HEADING, NUMBERS, LENGTH_RATIO, TOO_SHORT, TOO_LONG)

LOW_SCORE = "low_score"  # dropped under --min-score with no flag to blame
DUPLICATE = "duplicate"

DEFAULT_PENALTIES: Mapping[str, float] = {
    IDENTICAL: 0.2,
    NOT_ENGLISH: 0.2,
    BOILERPLATE: 0.2,
    HEADING: 0.2,
    NUMBERS: 0.6,
    LENGTH_RATIO: 0.6,
    TOO_SHORT: 0.6,
    TOO_LONG: 0.8,
}


@dataclass(frozen=True)
class ScoringConfig:
    """Thresholds of the filters and weights of the combined score (see README, "Scoring and export")."""

    min_score: float = 0.5
    bead_weight: float = 0.5  # exponent of the bead score in the combined score; MT quality gets the rest
    chrf_chance: float = 20.0  # chrF of an MT against an unrelated sentence (median 17-22 measured): MT signal 0
    chrf_full: float = 60.0  # chrF at which the MT signal saturates at 1.0
    min_words: int = 3
    max_words: int = 120
    min_length_ratio: float = 0.5  # English characters / French characters
    max_length_ratio: float = 2.0
    langid_min_words: int = 4  # language ID of shorter texts is too unreliable to flag on
    heading_max_words: int = 20  # a headline-like line (no final punctuation) up to this long is a heading
    boilerplate_min_docs: int = 2
    boilerplate_max_words: int = 12
    penalties: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_PENALTIES))

    def as_dict(self) -> dict[str, object]:
        """Plain-data view, for the manifest and the dataset card."""
        values = asdict(self)
        values["penalties"] = dict(sorted(self.penalties.items()))
        return values


@dataclass(frozen=True)
class Candidate:
    """One bead with a French and an English side, before scoring."""

    fr_doc: str
    en_doc: str
    fr_sent_ids: tuple[int, ...]
    en_sent_ids: tuple[int, ...]
    fr_sents: tuple[str, ...]
    en_sents: tuple[str, ...]
    mt_sents: tuple[str, ...]  # machine translation of each French sentence
    bead_score: float
    doc_score: float

    @property
    def fr(self) -> str:
        return " ".join(self.fr_sents)

    @property
    def en(self) -> str:
        return " ".join(self.en_sents)

    @property
    def mt(self) -> str:
        return " ".join(self.mt_sents)


@dataclass(frozen=True)
class PairRecord:
    """One row of the dataset: a scored French-English pair."""

    id: str
    fr: str
    en: str
    mt: str
    fr_doc: str
    en_doc: str
    fr_sent_ids: tuple[int, ...]
    en_sent_ids: tuple[int, ...]
    bead: str  # "<French sentences>-<English sentences>", e.g. "1-2"
    bead_score: float
    doc_score: float
    score: float
    chrf: float  # sacrebleu scale, 0..100
    bleu: float  # sacrebleu scale, 0..100
    length_ratio: float  # English characters / French characters
    flags: tuple[str, ...]


def pair_id(fr_doc: str, en_doc: str, fr_ids: Sequence[int], en_ids: Sequence[int]) -> str:
    """Stable, readable id: both documents and the sentence ids of each side."""
    return f"{fr_doc}/{en_doc}/{','.join(map(str, fr_ids))}-{','.join(map(str, en_ids))}"


def normalize(text: str) -> str:
    """Key for comparing texts: the corpus module's normalisation (NFC, whitespace collapsed), case-folded."""
    return normalise_text(text).casefold()


def _words(text: str) -> int:
    return len(text.split())


# --- filters: each looks at a pair and returns the flags it raises -----------

_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f]\d+)*(?: \d{3}(?!\d))*")


def numbers_in(text: str) -> frozenset[str]:
    """Numbers written with digits, separators removed so that "100 000", "100,000" and "100.000" agree.

    A set: a translation may repeat a number that the original gives once ("the same year").
    """
    return frozenset(re.sub(r"\D", "", m) for m in _NUMBER.findall(text))


# Generic web-page furniture; repeated-line detection catches the site-specific rest.
_BOILERPLATE_PATTERNS = re.compile(
    r"^(?:photo|crédit|credit|©|source\s*:)"
    r"|\bsource site-\d+\b"
    r"|\b(?:lire aussi|à lire aussi|read more|read also|see also|voir aussi)\b"
    r"|\bversion mobile\b|\bnewsletter\b|\babonnez-vous\b|\bsubscribe\b|\bcookies?\b"
    r"|\b(?:getty images|afp photo|reuters/)\b",
    re.IGNORECASE,
)


def find_boilerplate(
    documents: Mapping[str, Sequence[str]], *, min_docs: int = 2, max_words: int = 12
) -> frozenset[str]:
    """Normalised short sentences that occur in at least ``min_docs`` documents of one language.

    Long sentences shared by two outlets are wire copy, not boilerplate, hence ``max_words``.
    """
    seen: Counter[str] = Counter()
    for sentences in documents.values():
        seen.update({normalize(s) for s in sentences if _words(s) <= max_words})
    return frozenset(key for key, n in seen.items() if n >= min_docs)


@dataclass(frozen=True)
class IdenticalFilter:
    """The two sides are the same text: nothing was translated."""

    def __call__(self, c: Candidate) -> list[str]:
        return [IDENTICAL] if normalize(c.fr) == normalize(c.en) else []


@dataclass(frozen=True)
class LanguageFilter:
    """The English side is not identified as English."""

    language_of: Callable[[str], str]
    min_words: int

    def __call__(self, c: Candidate) -> list[str]:
        if _words(c.en) < self.min_words:
            return []
        return [] if self.language_of(c.en) == "en" else [NOT_ENGLISH]


@dataclass(frozen=True)
class NumberFilter:
    """Digits on one side that the other side does not have."""

    def __call__(self, c: Candidate) -> list[str]:
        return [NUMBERS] if numbers_in(c.fr) != numbers_in(c.en) else []


@dataclass(frozen=True)
class LengthFilter:
    """Either side too short to be a useful test sentence, or too long to be one sentence."""

    min_words: int
    max_words: int

    def __call__(self, c: Candidate) -> list[str]:
        lengths = (_words(c.fr), _words(c.en))
        flags = []
        if min(lengths) < self.min_words:
            flags.append(TOO_SHORT)
        if max(lengths) > self.max_words:
            flags.append(TOO_LONG)
        return flags


@dataclass(frozen=True)
class LengthRatioFilter:
    """English length / French length (characters) outside a plausible range."""

    low: float
    high: float

    def __call__(self, c: Candidate) -> list[str]:
        ratio = length_ratio(c.fr, c.en)
        return [] if self.low <= ratio <= self.high else [LENGTH_RATIO]


@dataclass(frozen=True)
class BoilerplateFilter:
    """A sentence of the pair is repeated across documents or looks like page furniture."""

    repeated: frozenset[str]

    def __call__(self, c: Candidate) -> list[str]:
        for sentence in (*c.fr_sents, *c.en_sents):
            if normalize(sentence) in self.repeated or _BOILERPLATE_PATTERNS.search(sentence):
                return [BOILERPLATE]
        return []


def is_heading(text: str, max_words: int) -> bool:
    """A short headline-like line: subheading, rubric, caption (the corpus module's test, plus a length cap)."""
    return _words(text) <= max_words and looks_like_headline(text)


@dataclass(frozen=True)
class HeadingFilter:
    """A heading joined to sentences in a bead, or paired with a sentence.

    Headings have no counterpart among sentences, so such a pair is not a translation;
    a heading paired with a heading (the two titles) is fine.
    """

    max_words: int

    def __call__(self, c: Candidate) -> list[str]:
        fr = [is_heading(s, self.max_words) for s in c.fr_sents]
        en = [is_heading(s, self.max_words) for s in c.en_sents]
        merged = (len(fr) > 1 and any(fr)) or (len(en) > 1 and any(en))
        return [HEADING] if merged or all(fr) != all(en) else []


def detach_headings(c: Candidate, max_words: int) -> Candidate:
    """Drop headings from the ends of a side that also has sentences (they become unaligned).

    Aligners readily merge an unmatched subheading into the neighbouring bead; cutting it
    off recovers the sentence pair. A side made only of headings is left as it is.
    """
    fr = _trim_ends([is_heading(s, max_words) for s in c.fr_sents])
    en = _trim_ends([is_heading(s, max_words) for s in c.en_sents])
    return replace(
        c,
        fr_sent_ids=c.fr_sent_ids[fr],
        en_sent_ids=c.en_sent_ids[en],
        fr_sents=c.fr_sents[fr],
        en_sents=c.en_sents[en],
        mt_sents=c.mt_sents[fr],
    )


def _trim_ends(headings: Sequence[bool]) -> slice:
    """The slice of a side without its leading and trailing headings (all of it if it has no sentence)."""
    if all(headings):
        return slice(0, len(headings))
    start, end = 0, len(headings)
    while headings[start]:
        start += 1
    while headings[end - 1]:
        end -= 1
    return slice(start, end)


Filter = Callable[[Candidate], list[str]]


def _language_of(text: str) -> str:
    return detect_language(text)[0]


def default_filters(config: ScoringConfig, *, boilerplate: frozenset[str] = frozenset()) -> list[Filter]:
    """The standard filter chain built from ``config``; ``boilerplate`` from :func:`find_boilerplate`."""
    return [
        IdenticalFilter(),
        LanguageFilter(_language_of, config.langid_min_words),
        BoilerplateFilter(boilerplate),
        HeadingFilter(config.heading_max_words),
        NumberFilter(),
        LengthRatioFilter(config.min_length_ratio, config.max_length_ratio),
        LengthFilter(config.min_words, config.max_words),
    ]


# --- measures and the combined score -----------------------------------------

_BLEU = BLEU(effective_order=True)  # effective order: short sentences do not score 0 by lack of 4-grams
_CHRF = CHRF()


def chrf(hypothesis: str, reference: str) -> float:
    """Sentence chrF (sacrebleu, 0..100)."""
    return float(_CHRF.sentence_score(hypothesis, [reference]).score)


def bleu(hypothesis: str, reference: str) -> float:
    """Sentence BLEU (sacrebleu, exponential smoothing, 0..100)."""
    return float(_BLEU.sentence_score(hypothesis, [reference]).score)


def length_ratio(fr: str, en: str) -> float:
    """English characters / French characters (inf when the French side is empty)."""
    return len(en) / len(fr) if fr else math.inf


def combined_score(
    bead_score: float, chrf_value: float, flags: Iterable[str], config: ScoringConfig
) -> float:
    """Weighted geometric mean of the bead score and the chrF rescaled from chance to full, times one
    penalty per flag; in [0, 1].

    Geometric, so that both signals must be good: a confident bead whose translation
    does not match (or a matching translation in an unlikely bead) scores low.
    """
    mt_quality = min(1.0, max(0.0, (chrf_value - config.chrf_chance) / (config.chrf_full - config.chrf_chance)))
    bead = min(1.0, max(0.0, bead_score))
    base = bead**config.bead_weight * mt_quality ** (1.0 - config.bead_weight)
    for flag in flags:
        base *= config.penalties.get(flag, 1.0)
    return round(min(1.0, max(0.0, base)), 6)


def score_candidate(c: Candidate, filters: Sequence[Filter], config: ScoringConfig) -> PairRecord:
    """Measure one candidate and turn it into a dataset record."""
    fr, en, mt = c.fr, c.en, c.mt
    flags = tuple(flag for f in filters for flag in f(c))
    chrf_value = chrf(mt, en)
    return PairRecord(
        id=pair_id(c.fr_doc, c.en_doc, c.fr_sent_ids, c.en_sent_ids),
        fr=fr,
        en=en,
        mt=mt,
        fr_doc=c.fr_doc,
        en_doc=c.en_doc,
        fr_sent_ids=c.fr_sent_ids,
        en_sent_ids=c.en_sent_ids,
        bead=f"{len(c.fr_sent_ids)}-{len(c.en_sent_ids)}",
        bead_score=round(c.bead_score, 6),
        doc_score=round(c.doc_score, 6),
        score=combined_score(c.bead_score, chrf_value, flags, config),
        chrf=round(chrf_value, 4),
        bleu=round(bleu(mt, en), 4),
        length_ratio=round(length_ratio(fr, en), 4),
        flags=flags,
    )


@dataclass(frozen=True)
class Selection:
    """Pairs kept, and how many were dropped for each reason."""

    kept: list[PairRecord]
    dropped: dict[str, int]  # reason -> count, sorted by reason


def drop_reason(record: PairRecord) -> str:
    """Why a pair under the threshold is dropped: its most damaging flag, else a low score."""
    for flag in FLAGS:
        if flag in record.flags:
            return flag
    return LOW_SCORE


def select_records(records: Iterable[PairRecord], min_score: float) -> Selection:
    """Keep pairs scoring at least ``min_score``, each distinct (French, English) text once.

    Of exact duplicates the best-scoring one is considered (ties: the first by id) and the
    others are dropped as duplicates, so the result does not depend on the order of ``records``.
    """
    ordered = sorted(records, key=lambda r: (-r.score, r.id))
    kept: list[PairRecord] = []
    dropped: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for record in ordered:
        key = (normalize(record.fr), normalize(record.en))
        if key in seen:  # a copy of a better-scored pair, whatever its own score
            dropped[DUPLICATE] += 1
        elif record.score < min_score:
            dropped[drop_reason(record)] += 1
        else:
            kept.append(record)
        seen.add(key)
    kept.sort(key=lambda r: (r.fr_doc, r.en_doc, r.fr_sent_ids, r.en_sent_ids))
    return Selection(kept=kept, dropped=dict(sorted(dropped.items())))
