"""Document alignment: which French document corresponds to which English one.

Two kinds of evidence, because corpora come in two regimes:

* **Topic similarity with a margin.** The English MT of each French document and
  each English document become TF-IDF vectors (scikit-learn; English stop words
  removed, sublinear term frequency, accents stripped so that MT spellings of
  names still match). A pair's *relative margin* is how far its cosine beats
  its best rival -- the best cosine either document has with any *other*
  document, or the absolute floor `min_similarity` if that is higher:
  ``margin = 1 - rival / cosine`` (clipped at 0). This is ratio-margin bitext
  mining (Artetxe & Schwenk, 2019) with k = 1: a positive margin means the two
  documents are each other's best match, and the floor keeps two unrelated
  documents from pairing just because everything else is even less similar.
  This is what pairs *comparable* texts (independent Wikipedia articles on the
  same subject), which share a topic but few parallel sentences.
* **Sentence-alignment coverage.** For the top candidates only, the French and
  English sentences are aligned (`align.sentalign.align_sentences`) and the
  coverage is the share of sentences lying in confident beads (beads whose
  MT side has a chrF of at least 40 against the English side), on the
  better-covered side. This is what separates a *translation*
  from another article on the same event, and it needs no margin, so one
  French article can match two English versions of the same agency story (1-n).

A pair's score is ``max(coverage, margin)``, in [0, 1]; pairs scoring at least
`min_score` are kept. Nothing forces a 1-1 assignment: a document may match
several documents (high coverage) or none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from align.atomic import write_text_atomic
from align.scoring import chrf
from align.sentalign import AlignConfig, align_sentences


@dataclass(frozen=True)
class DocAlignConfig:
    """Parameters of document alignment; the defaults are the tuned ones."""

    candidates: int = 3
    """Per document, how many most-similar documents of the other side get sentence-aligned."""
    min_similarity: float = 0.07
    """Absolute floor on TF-IDF cosine, below which documents count as unrelated: it is the rival
    of a pair that has no better one (so a margin needs a cosine of at least 0.07 * 1.5)."""
    min_score: float = 1 / 3
    """Keep pairs whose score (max of coverage and relative margin) reaches this value: a third
    of the sentences in confident beads, or a cosine 1 / (1 - 1/3) = 1.5 times the best rival."""
    bead_chrf: float = 40.0
    """A sentence bead counts towards coverage when the chrF (sacrebleu scale, 0-100) of its French
    side's MT against its English side reaches this: translations score about 45-75 even with
    Apertium, unrelated sentences 10-35. (Bead scores from `align_sentences` are calibrated on
    parallel documents, so they say which beads are right *if* the documents are parallel, not
    whether they are.)"""
    sentence_config: AlignConfig | None = None
    """Configuration passed to `align_sentences` (None: its defaults)."""

    def __post_init__(self) -> None:
        if self.candidates < 1:
            raise ValueError("candidates must be >= 1")
        for name in ("min_similarity", "min_score"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if not 0.0 <= self.bead_chrf <= 100.0:
            raise ValueError(f"bead_chrf must be in [0, 100], got {self.bead_chrf}")


@dataclass(frozen=True)
class DocPair:
    """A French document matched with an English one; `score` in [0, 1]."""

    fr_id: str
    en_id: str
    score: float
    similarity: float = 0.0
    """TF-IDF cosine between the French document's MT and the English document."""
    margin: float = 0.0
    """Relative margin of `similarity` over the best rival (see the module docstring)."""
    coverage: float = 0.0
    """Share of sentences in confident beads, on the better-covered side (see `coverage`)."""


def similarity_matrix(fr_texts: Sequence[str], en_texts: Sequence[str]) -> np.ndarray:
    """TF-IDF cosine between every French MT text (rows) and every English text (columns).

    Idf is fitted on both sides together: they are all English. Texts without a single
    content word give zero rows/columns.
    """
    if not fr_texts or not en_texts:
        return np.zeros((len(fr_texts), len(en_texts)))
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", strip_accents="unicode")
    try:
        vectors = vectorizer.fit_transform([*fr_texts, *en_texts])
    except ValueError:  # empty vocabulary: no text has a content word
        return np.zeros((len(fr_texts), len(en_texts)))
    # Rows are L2-normalised by TfidfVectorizer, so the dot product is the cosine.
    return (vectors[: len(fr_texts)] @ vectors[len(fr_texts) :].T).toarray()


def relative_margins(similarity: np.ndarray, floor: float) -> np.ndarray:
    """``1 - rival / similarity`` per cell, clipped to [0, 1], where the rival of (i, j) is the
    best similarity of i with another column or of j with another row, at least `floor`."""
    n_fr, n_en = similarity.shape
    rivals = np.full(similarity.shape, floor)
    if n_en > 1:
        # Best other column per row: the row maximum, unless the cell is that maximum.
        order = np.sort(similarity, axis=1)
        best, second = order[:, -1:], order[:, -2:-1]
        rivals = np.maximum(rivals, np.where(similarity >= best, second, best))
    if n_fr > 1:
        order = np.sort(similarity, axis=0)
        best, second = order[-1:, :], order[-2:-1, :]
        rivals = np.maximum(rivals, np.where(similarity >= best, second, best))
    with np.errstate(divide="ignore", invalid="ignore"):
        margins = np.where(similarity > 0, 1.0 - rivals / similarity, 0.0)
    return np.clip(margins, 0.0, 1.0)


def candidate_pairs(similarity: np.ndarray, k: int, floor: float) -> list[tuple[int, int]]:
    """Cells among the `k` most similar of their row or of their column, with similarity >= floor;
    sorted (row, column)."""
    cells: set[tuple[int, int]] = set()
    n_fr, n_en = similarity.shape
    for i in range(n_fr):
        cells.update((i, int(j)) for j in np.argsort(-similarity[i], kind="stable")[:k])
    for j in range(n_en):
        cells.update((int(i), j) for i in np.argsort(-similarity[:, j], kind="stable")[:k])
    return sorted((i, j) for i, j in cells if similarity[i, j] >= floor and similarity[i, j] > 0)


def coverage(
    fr: Sequence[str],
    fr_mt: Sequence[str],
    en: Sequence[str],
    *,
    bead_chrf: float = 40.0,
    config: AlignConfig | None = None,
) -> float:
    """Share of the sentences of the better-covered document that lie in confident beads: beads
    linking both sides whose French MT has a chrF of at least `bead_chrf` against the English.

    The better-covered side, not both pooled: a short wire story fully translated inside a longer
    article is a match, although most of the longer article's sentences are unaligned.
    """
    if not fr or not en:
        return 0.0
    beads = [
        bead
        for bead in align_sentences(fr, en, fr_mt, config=config)
        if bead.src
        and bead.tgt
        and chrf(" ".join(fr_mt[i] for i in bead.src), " ".join(en[j] for j in bead.tgt)) >= bead_chrf
    ]
    return max(sum(len(b.src) for b in beads) / len(fr), sum(len(b.tgt) for b in beads) / len(en))


def align_documents(
    fr: Mapping[str, Sequence[str]],
    fr_mt: Mapping[str, Sequence[str]],
    en: Mapping[str, Sequence[str]],
    config: DocAlignConfig | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[DocPair]:
    """Match French documents with English ones; return the kept pairs sorted by (fr_id, en_id).

    `fr` and `en` map document ids to their sentences; `fr_mt` maps each French id to the English
    MT of its sentences (same count, same order). `progress(done, total)` is called after each
    candidate pair is sentence-aligned.
    """
    config = config or DocAlignConfig()
    if set(fr) != set(fr_mt):
        raise ValueError("fr and fr_mt must have the same document ids")
    for doc_id, sentences in fr.items():
        if len(fr_mt[doc_id]) != len(sentences):
            raise ValueError(f"document {doc_id}: {len(sentences)} sentences but {len(fr_mt[doc_id])} translations")
    fr_ids, en_ids = sorted(fr), sorted(en)
    similarity = similarity_matrix(
        [" ".join(fr_mt[doc_id]) for doc_id in fr_ids], [" ".join(en[doc_id]) for doc_id in en_ids]
    )
    margins = relative_margins(similarity, config.min_similarity)
    cells = candidate_pairs(similarity, config.candidates, config.min_similarity)
    pairs: list[DocPair] = []
    for done, (i, j) in enumerate(cells, 1):
        fr_id, en_id = fr_ids[i], en_ids[j]
        cov = coverage(
            fr[fr_id], fr_mt[fr_id], en[en_id], bead_chrf=config.bead_chrf, config=config.sentence_config
        )
        score = max(cov, float(margins[i, j]))
        if score >= config.min_score:
            pairs.append(DocPair(fr_id, en_id, score, float(similarity[i, j]), float(margins[i, j]), cov))
        if progress is not None:
            progress(done, len(cells))
    return pairs


def format_pairs(pairs: Sequence[DocPair]) -> str:
    """``fr_id<TAB>en_id<TAB>score`` lines (score with 4 decimals), sorted by ids."""
    rows = sorted(pairs, key=lambda p: (p.fr_id, p.en_id))
    return "".join(f"{p.fr_id}\t{p.en_id}\t{p.score:.4f}\n" for p in rows)


def write_pairs(pairs: Sequence[DocPair], path: str | Path) -> None:
    """Write `format_pairs` to `path` atomically."""
    write_text_atomic(path, format_pairs(pairs), what="the document pairs")
