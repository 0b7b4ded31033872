"""MT-based sentence alignment (Bleualign-style, with a chrF-like similarity).

The machine translation of each source sentence is compared with the target
sentences (and, when given, the translation of each target sentence with the
source sentences); the untranslated source is compared with the target too, with
a lower weight (names, numbers and cognates survive where the MT mangled them).
The similarity is the weighted mean of these views. Steps:

1. bags of character 2-5-grams and word uni/bigrams, idf-weighted (features.py);
2. a rough 1-1 path from dense sketches, coarse-to-fine on long documents, so
   that everything after runs in a band of bounded width (dp.py);
3. a 1-1/skip DP in that band on a background-corrected Dice similarity;
4. best-first joining of adjacent beads into n-m beads (up to ``max_side``), with two
   cues from the text: a lower-case start or a parenthesis closed that the sentence before
   opened continues it, and a line without final punctuation (heading, boilerplate) stands
   on its own; then each joined
   bead is cut in two where a cut explains it as well (the joining test, re-checked on
   the final bead);
5. a calibrated score for every bead.

See the README section "Sentence alignment" for the reasons behind each step.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from align.atomic import write_text_atomic
from align.errors import AlignError
from align.sentalign.dp import (background, band_from_path, band_overlaps, block_dice, pair_band, pair_features,
                              path_dp, sketch_band_sims)
from align.sentalign.features import bags, ngram_keys, normalise_rows, sketch, vocabulary
from align.translate.lines import read_lines


@dataclass(frozen=True)
class Bead:
    src: tuple[int, ...]     # source sentence ids (may be empty)
    tgt: tuple[int, ...]     # target sentence ids (may be empty)
    score: float             # probability-like confidence in [0, 1]


@dataclass(frozen=True)
class AlignConfig:
    """Aligner parameters; the defaults were tuned on the dev benchmarks (scripts/bench_alignment.py)."""

    max_side: int = 5            # at most this many sentences on each side of a bead
    char_orders: tuple[int, int] = (2, 5)   # character n-gram orders, inclusive (whitespace removed)
    word_weight: float = 1.0     # weight of a word uni/bigram relative to a character n-gram
    number_weight: float = 2.0   # extra weight of a word containing a digit (numbers survive translation)
    source_weight: float = 0.4   # weight of the untranslated source against the target (names, numbers,
                                 # cognates the MT mangled), relative to the MT view; 0 for other scripts
    threshold: float = -0.04     # a 1-1 bead is kept when its background-corrected similarity exceeds this
    length_weight: float = 0.04  # weight of the squared log char-length ratio of a bead's two sides
    sketch_dim: int = 512        # size of the dense hashed sentence vectors used to find the path
    path_threshold: float = 0.1  # a 1-1 step of the search path must have a sketch cosine above this
    band_width: int = 4          # exact beads are searched within this many sentences of the path
    full_search_cells: int = 4_000_000   # above this many sentence pairs, search the path coarse-to-fine
    coarse_blocks: int = 800     # about this many blocks per side in the coarse pass
    band_margin: int = 2         # band half-width around the coarse path, in blocks
    merge_gain: float = 0.01     # an unaligned neighbour joins a bead when similarity rises by more (see _merge)
    merge_margin: float = 0.05   # two aligned beads are joined when the whole beats their mean by more
    drop_tolerance: float = 0.02   # a fragment (lower-case start) or a heading pair joins a neighbour
                                   # unless the similarity drops by more than this (see _merge)
    refine_gain: float = 0.01    # a boundary sentence moves to the next bead when similarity rises by more


# --------------------------------------------------------------------------- alignment


def _check(name: str, got: int, want: int) -> None:
    if got != want:
        raise AlignError(f"{name} has {got} lines but must have one per sentence ({want})")


def _coarse_band(sa: np.ndarray, sb: np.ndarray, cfg: AlignConfig) -> tuple[np.ndarray, np.ndarray]:
    """Band around the 1-1 path of blocks of consecutive sentences (for long documents)."""
    n, m = len(sa), len(sb)
    bs = -(-n // cfg.coarse_blocks)
    bt = -(-m // cfg.coarse_blocks)
    ba = normalise_rows(np.add.reduceat(sa, np.arange(0, n, bs), axis=0))
    bb = normalise_rows(np.add.reduceat(sb, np.arange(0, m, bt), axis=0))
    nb_, mb_ = len(ba), len(bb)
    sim = ba @ bb.T
    pi, pj = path_dp(sim, np.zeros(nb_, np.int64), np.zeros(nb_ + 1, np.int64), np.full(nb_ + 1, mb_, np.int64),
                     nb_, mb_, cfg.path_threshold, 0.01)
    pi = np.minimum(pi * bs, n)
    pj = np.minimum(pj * bt, m)
    return band_from_path(pi, pj, n, m, cfg.band_margin * bs, cfg.band_margin * bt)


def _path_band(sa: np.ndarray, sb: np.ndarray, cfg: AlignConfig) -> tuple[np.ndarray, np.ndarray]:
    """Narrow band around the best 1-1 path of sentence sketches (searched in a coarse band if long)."""
    n, m = len(sa), len(sb)
    sa, sb = normalise_rows(sa), normalise_rows(sb)
    if n * m <= cfg.full_search_cells:
        jlo, jhi = np.zeros(n + 1, np.int64), np.full(n + 1, m, np.int64)
        sim = sa @ sb.T
    else:
        jlo, jhi = _coarse_band(sa, sb, cfg)
        plo, width = pair_band(jlo, jhi, m)
        sim = sketch_band_sims(sa, sb, plo, width)
    plo, _ = pair_band(jlo, jhi, m)
    pi, pj = path_dp(sim, plo, jlo, jhi, n, m, cfg.path_threshold, 0.01)
    return band_from_path(pi, pj, n, m, cfg.band_width, cfg.band_width)


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    src_mt: Sequence[str],
    tgt_mt: Sequence[str] | None = None,
    config: AlignConfig | None = None,
) -> list[Bead]:
    """Monotonic alignment covering every source and target id exactly once.

    ``src_mt[i]`` is the translation of ``src[i]`` into the target language;
    ``tgt_mt[j]`` (optional) the translation of ``tgt[j]`` into the source language.
    Pure and deterministic.
    """
    spans, evidence = align_evidence(src, tgt, src_mt, tgt_mt, config)
    certain = not src or not tgt   # with one side empty, leaving every sentence unaligned is right
    return [Bead(tuple(range(s0, s1)), tuple(range(t0, t1)), 1.0 if certain else _score(e))
            for (s0, s1, t0, t1), e in zip(spans, evidence)]


def align_evidence(
    src: Sequence[str],
    tgt: Sequence[str],
    src_mt: Sequence[str],
    tgt_mt: Sequence[str] | None = None,
    config: AlignConfig | None = None,
) -> tuple[list[list[int]], list[Evidence]]:
    """Bead spans ``[s0, s1, t0, t1]`` and the evidence ``bead_evidence`` computes for each (before calibration)."""
    cfg = config or AlignConfig()
    _check("the source translation", len(src_mt), len(src))
    if tgt_mt is not None:
        _check("the target translation", len(tgt_mt), len(tgt))
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        spans = [[i, i + 1, 0, 0] for i in range(n)] + [[n, n, j, j + 1] for j in range(m)]
        return spans, [Evidence(0.0, 0.0, 0.0, 1, 0)] * (n + m)
    # an empty translation of a non-empty sentence is a failed one (e.g. an MT service's length limit):
    # the sentence itself still shares names and numbers with its counterpart
    src_mt = _fill_failed(src_mt, src)
    if tgt_mt is not None:
        tgt_mt = _fill_failed(tgt_mt, tgt)

    # every text a view uses, hashed and numbered once: [src_mt, tgt] (+ src) (+ tgt_mt)
    texts = [src_mt, tgt]
    if tgt_mt is not None or cfg.source_weight > 0:
        texts.append(src)
    if tgt_mt is not None:
        texts.append(tgt_mt)
    runs, vocab = vocabulary([ngram_keys(t, cfg.char_orders) for t in texts])
    ba, bb, wab = bags(runs[0], runs[1], vocab, cfg.word_weight, cfg.number_weight)
    jlo, jhi = _path_band(sketch(ba, wab, vocab, cfg.sketch_dim), sketch(bb, wab, vocab, cfg.sketch_dim), cfg)
    plo, width = pair_band(jlo, jhi, m)
    # views of the pair, each (source-side bags, target-side bags, n-gram weights), and their weights
    views, weight = [(ba, bb, wab)], [1.0]
    if tgt_mt is not None:
        views.append(bags(runs[2], runs[3], vocab, cfg.word_weight, cfg.number_weight))
        weight.append(1.0)
    if cfg.source_weight > 0:
        views.append(bags(runs[2], runs[1], vocab, cfg.word_weight, cfg.number_weight))
        weight.append(cfg.source_weight)
    share = [v / sum(weight) for v in weight]   # a similarity is the weighted mean over the views
    sims, args = [], []
    for x, y, w in views:
        ov = band_overlaps(x.ids, x.counts, x.offs, y.ids, y.counts, y.offs, w, plo, width)
        bgx, bgy = background(ov, plo, width, x.mass, y.mass, m)
        d, size, lr2 = pair_features(ov, plo, width, x.mass, y.mass, bgx, bgy, ba.chars, bb.chars)
        sims.append(d)
        args.append((x.ids, x.counts, x.offs, y.ids, y.counts, y.offs, w, x.mass, y.mass, bgx, bgy,
                     np.zeros(len(w), np.float32), np.zeros(len(w), np.float32)))
    unit = max(1.0, 0.5 * (ba.chars.mean() + bb.chars.mean()))
    # 1-1 beads gain  size * (similarity - threshold - lw * log-length-ratio^2), skips 0
    pair_sim = sum(f * d for f, d in zip(share, sims))   # block_dice of the 1-1 beads in the band
    gain = size / unit * (pair_sim - cfg.threshold - cfg.length_weight * lr2)
    pi, pj = path_dp(gain, plo, jlo, jhi, n, m, 0.0, 0.0)
    spans = [[int(pi[k]), int(pi[k + 1]), int(pj[k]), int(pj[k + 1])] for k in range(len(pi) - 1)]

    memo: dict[tuple[int, int, int, int], float] = {}
    band_lo, band_width = plo.tolist(), width.tolist()

    def sim(s0: int, s1: int, t0: int, t1: int) -> float:
        if s1 - s0 == 1 and t1 - t0 == 1 and 0 <= t0 - band_lo[s0] < band_width[s0]:
            return float(pair_sim[s0, t0 - band_lo[s0]])
        key = (s0, s1, t0, t1)
        if key not in memo:
            memo[key] = sum(f * block_dice(s0, s1, t0, t1, *a) for f, a in zip(share, args))
        return memo[key]

    cum_a = np.concatenate([[0.0], np.cumsum(ba.chars)]).tolist()
    cum_b = np.concatenate([[0.0], np.cumsum(bb.chars)]).tolist()

    def sized(span: list[int]) -> float:
        return 0.5 * (cum_a[span[1]] - cum_a[span[0]] + cum_b[span[3]] - cum_b[span[2]])

    def quality(s0: int, s1: int, t0: int, t1: int) -> float:
        """Similarity minus the length-ratio penalty of the 1-1 pass: a deleted sentence joined to a bead
        unbalances its lengths, a missing fragment of it rebalances them."""
        lr = math.log((cum_a[s1] - cum_a[s0] + 1.0) / (cum_b[t1] - cum_b[t0] + 1.0))
        return sim(s0, s1, t0, t1) - cfg.length_weight * lr * lr

    continues = (_continues(src), _continues(tgt))
    alone = (_stands_alone(src), _stands_alone(tgt))
    closes = (_closes_parenthesis(src), _closes_parenthesis(tgt))
    spans = _refine(_merge(spans, quality, sized, cfg, continues, alone, closes), quality, sized, cfg)
    spans = _split(spans, quality, sized, cfg, continues)
    spans = _attach_punctuation(spans, _punctuation_only(src), _punctuation_only(tgt), cfg.max_side)
    return spans, bead_evidence(spans, sim)


def _aligned(span: Sequence[int]) -> bool:
    """Whether a bead span ``[s0, s1, t0, t1]`` has sentences on both sides."""
    return span[0] < span[1] and span[2] < span[3]


def _fill_failed(mt: Sequence[str], texts: Sequence[str]) -> list[str]:
    """``mt`` with each empty translation of a non-empty text replaced by the text itself."""
    return [m if m.strip() or not t.strip() else t for m, t in zip(mt, texts)]


def _split(spans: list[list[int]], sim: Callable[[int, int, int, int], float], sized: Callable[[list[int]], float],
           cfg: AlignConfig, continues: tuple[list[bool], list[bool]]) -> list[list[int]]:
    """Cut each joined bead in two where the joining test no longer holds for the final bead.

    Greedy joining tests a bead against the two parts it was built from, but later joins and moves can
    leave a bead that one of its other cuts explains almost as well (e.g. [63, 64, 65]:[64, 65, 66]
    built from three 1-1 beads where [63, 64]:[64] + [65]:[65, 66] is the reading). Each bead must beat
    its best cut by the margin _merge uses: ``merge_margin`` when both parts are aligned, ``merge_gain``
    when one sentence is left unaligned. A sentence that continues the one before it is not cut off from it.
    """
    out = []
    for b in spans:
        s0, s1, t0, t1 = b
        if not _aligned(b) or (s1 - s0 == 1 and t1 - t0 == 1):
            out.append(b)
            continue
        whole = sized(b) * sim(*b)
        best, choice = 0.0, None
        for a in range(s0, s1 + 1):
            if s0 < a < s1 and continues[0][a]:
                continue
            for c in range(t0, t1 + 1):
                if t0 < c < t1 and continues[1][c]:
                    continue
                x, y = [s0, a, t0, c], [a, s1, c, t1]
                if any(not _aligned(p) and p[1] - p[0] + p[3] - p[2] != 1 for p in (x, y)):
                    continue   # not a cut, or more than one sentence left unaligned (they join one at a time)
                margin = cfg.merge_margin if _aligned(x) and _aligned(y) else cfg.merge_gain
                v = sum(sized(p) * sim(*p) for p in (x, y) if _aligned(p)) + margin * sized(b) - whole
                if v > best:
                    best, choice = v, [x, y]
        out.extend(choice or [b])
    return out


def _refine(spans: list[list[int]], sim: Callable[[int, int, int, int], float], sized: Callable[[list[int]], float],
            cfg: AlignConfig) -> list[list[int]]:
    """Move single sentences across the boundary of two adjacent aligned beads when that helps.

    Greedy joining decides which neighbour a sentence joins one pair of beads at a time; here each
    boundary sentence may move to the other bead when the length-weighted similarity of the two beads
    rises (e.g. [42]:[77] + [43]:[78, 79] -> [42]:[77, 78] + [43]:[79]).
    """
    def value(x: list[int], y: list[int]) -> float:
        return sized(x) * sim(*x) + sized(y) * sim(*y)

    out = [list(b) for b in spans]
    for k in range(len(out) - 1):
        x, y = out[k], out[k + 1]
        if not (_aligned(x) and _aligned(y)):
            continue
        best, choice = value(x, y) + cfg.refine_gain * (sized(x) + sized(y)), None
        for side in (0, 2):   # source boundary, target boundary
            for step in (-1, 1):   # -1: x's last sentence goes to y; +1: y's first goes to x
                cut = x[side + 1] + step
                if not (x[side] < cut < y[side + 1]):
                    continue
                nx, ny = list(x), list(y)
                nx[side + 1] = ny[side] = cut
                if max(nx[1] - nx[0], nx[3] - nx[2], ny[1] - ny[0], ny[3] - ny[2]) > cfg.max_side:
                    continue
                v = value(nx, ny)
                if v > best:
                    best, choice = v, (nx, ny)
        if choice is not None:
            out[k], out[k + 1] = choice
    return out


# Logistic calibration of bead scores, fitted on the dev benchmarks' gold alignments by
# scripts/fit_sentalign_calibration.py (target: the bead is exactly a gold bead).
# Aligned beads: slopes on log similarity, log document median, margin, sentences beyond 1-1, unaligned
# neighbours; intercept.
CALIBRATION_ALIGNED = (0.45, 2.69, -3.30, -1.02, -1.86, 8.74)
# Unaligned sentences: slopes on the log of the best similarity to a nearby sentence and of the document
# median; intercept.
CALIBRATION_SKIPPED = (-0.40, -0.86, -2.59)


@dataclass(frozen=True)
class Evidence:
    """What a bead's score is computed from (see bead_evidence)."""

    similarity: float   # background-corrected similarity (about 0 for unrelated sentences)
    document: float     # median similarity of the document's aligned beads (how well its MT matches)
    margin: float       # similarity minus that of the best rival (the same bead shifted by one sentence)
    size: int           # sentences in the bead
    loose_ends: int     # neighbouring beads (0-2) that are unaligned sentences: the boundary is less sure

    def features(self) -> tuple[float, ...]:
        """Calibration inputs (see CALIBRATION_ALIGNED / CALIBRATION_SKIPPED)."""
        if self.size > 1:
            return (_log_sim(self.similarity), _log_sim(self.document), self.margin, float(self.size - 2),
                    float(self.loose_ends))
        return (_log_sim(self.similarity), _log_sim(self.document))


def _log_sim(f: float) -> float:
    # log scale: 0.01 vs 0.1 (chance vs weak translation) matters, 0.3 vs 0.6 (two good beads) hardly
    return math.log(max(f, 0.0) + 0.01)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def _rivals(span: list[int], n: int, m: int) -> list[tuple[int, int, int, int]]:
    """Beads of the same shape as ``span`` shifted by one sentence on one side (its rival readings)."""
    s0, s1, t0, t1 = span
    out = []
    for d in (-1, 1):
        if 0 <= s0 + d and s1 + d <= n:
            out.append((s0 + d, s1 + d, t0, t1))
        if 0 <= t0 + d and t1 + d <= m:
            out.append((s0, s1, t0 + d, t1 + d))
    return out


def bead_evidence(spans: list[list[int]], sim: Callable[[int, int, int, int], float]) -> list[Evidence]:
    """Evidence for each bead's score.

    The similarity is background-corrected, so that beads between unrelated texts get about 0 whatever
    the document. Its scale depends on the MT system and the text (OCR noise, style), so the median of
    the document's aligned beads is evidence too: with it the same similarity counts for more in a
    noisy document, and a document that does not match at all gets low scores throughout. The margin
    compares the bead with its rivals (shifted by one sentence on one side).
    For an unaligned sentence the similarity is its best one with a sentence of the other side in the
    neighbouring beads (how much it could have been aligned).
    """
    n = max(s[1] for s in spans)
    m = max(s[3] for s in spans)

    def unaligned(k: int) -> bool:
        return 0 <= k < len(spans) and not _aligned(spans[k])

    raw = []
    for k, (s0, s1, t0, t1) in enumerate(spans):
        if _aligned(spans[k]):
            f = sim(s0, s1, t0, t1)
            rival = max([sim(*a) for a in _rivals(spans[k], n, m)], default=0.0)
            raw.append((f, f - rival, s1 - s0 + t1 - t0, unaligned(k - 1) + unaligned(k + 1)))
            continue
        best = -1.0
        for nb_ in range(max(0, k - 2), min(len(spans), k + 3)):
            o = spans[nb_]
            if s1 > s0:
                best = max([best] + [sim(s0, s1, j, j + 1) for j in range(o[2], o[3])])
            else:
                best = max([best] + [sim(i, i + 1, t0, t1) for i in range(o[0], o[1])])
        raw.append((best, 0.0, 1, 0))
    aligned = [f for (f, _, size, _) in raw if size > 1]
    document = float(np.median(aligned)) if aligned else 0.0
    return [Evidence(f, document, margin, size, loose) for f, margin, size, loose in raw]


def _score(e: Evidence) -> float:
    *w, c = CALIBRATION_ALIGNED if e.size > 1 else CALIBRATION_SKIPPED
    return _sigmoid(sum(wi * xi for wi, xi in zip(w, e.features())) + c)


def _closes_parenthesis(texts: Sequence[str]) -> list[bool]:
    """Whether each sentence closes a parenthesis that the sentence before left open: the sentence
    splitter cut inside the parentheses ("... a verification data (." + "@cs) file ...")."""
    depth = [t.count("(") - t.count(")") for t in texts]
    return [k > 0 and depth[k - 1] > 0 and depth[k] < 0 for k in range(len(texts))]


def _continues(texts: Sequence[str]) -> list[bool]:
    """Whether each sentence continues the one before it (OCR line breaks, wrong sentence splits): it
    starts in lower case or closes a parenthesis left open."""
    return [t.lstrip()[:1].islower() or closes for t, closes in zip(texts, _closes_parenthesis(texts))]


_SENTENCE_END = ".!?;:…\"'»”’"


def _stands_alone(texts: Sequence[str]) -> list[bool]:
    """Whether each sentence is a line of its own: a heading, caption or web boilerplate ("Read more"),
    i.e. it neither continues the one before it nor ends like a sentence."""
    return [bool(t.strip()) and t.rstrip()[-1] not in _SENTENCE_END and not c
            for t, c in zip(texts, _continues(texts))]


def _punctuation_only(texts: Sequence[str]) -> list[bool]:
    """Whether each segment is only punctuation or symbols (dot leaders of a table of contents, a
    stray bullet): no letter or digit, nothing to translate."""
    return [bool(t.strip()) and not any(c.isalnum() for c in t) for t in texts]


def _attach_punctuation(spans: list[list[int]], src_punct: list[bool], tgt_punct: list[bool],
                        max_side: int) -> list[list[int]]:
    """Join each aligned bead made only of punctuation segments to the aligned bead that follows.

    Such a bead ("  . . . . ." ↔ ". . . . .") is layout, not a translation unit: the leaders of a
    table-of-contents line belong with the page number after them.
    """
    out: list[list[int]] = []
    k = 0
    while k < len(spans):
        b = spans[k]
        nxt = spans[k + 1] if k + 1 < len(spans) else None
        if (_aligned(b) and all(src_punct[b[0]:b[1]]) and all(tgt_punct[b[2]:b[3]])
                and nxt is not None and _aligned(nxt)
                and nxt[1] - b[0] <= max_side and nxt[3] - b[2] <= max_side):
            out.append([b[0], nxt[1], b[2], nxt[3]])
            k += 2
            continue
        out.append(b)
        k += 1
    return out


def _merge(spans: list[list[int]], sim: Callable[[int, int, int, int], float], sized: Callable[[list[int]], float],
           cfg: AlignConfig, continues: tuple[list[bool], list[bool]],
           alone: tuple[list[bool], list[bool]], closes: tuple[list[bool], list[bool]]) -> list[list[int]]:
    """Join adjacent beads best-first while the joined bead is clearly more similar than its parts.

    "Its parts" is the length-weighted mean similarity of the two beads (``sim`` includes the
    length-ratio penalty). Joining two correct 1-1 beads
    gives about that mean (a little more: adjacent sentences share topic words), so two aligned beads
    are joined only when the whole beats the mean by ``merge_margin``; the pieces of a bead that the
    1-1 pass split (crossing sentence boundaries) are each clearly worse than the whole. An unaligned
    sentence (as Bleualign grows its anchors) joins when the gain exceeds ``merge_gain``, or, when one
    of the two continues the other (lower-case start: an OCR line break or a wrong sentence split), when
    the similarity drops by less than ``drop_tolerance``: such a fragment is often too short to add
    any similarity. A line that stands alone (no final punctuation: a heading, web boilerplate) joins
    only when it raises the similarity by ``merge_gain`` itself; a 1-1 bead of two such lines (a
    heading and its translation) joins a neighbour only when the similarity drops by less than
    ``drop_tolerance`` (short headings share a word or two with the section they open, which would
    otherwise pass the mean test). Two aligned beads whose boundary cuts a parenthesis on both sides
    are always joined: the splitter broke one sentence at the same place in both languages. Two
    unaligned beads are never joined (the 1-1 pass rejected them).
    """
    beads = [list(b) for b in spans]
    aligned = [_aligned(b) for b in beads]
    score = [sim(*b) if al else -math.inf for b, al in zip(beads, aligned)]
    nxt = list(range(1, len(beads) + 1))
    prv = list(range(-1, len(beads) - 1))
    alive = [True] * len(beads)
    version = [0] * len(beads)

    def heading(b: list[int]) -> bool:
        return b[1] - b[0] == 1 and b[3] - b[2] == 1 and alone[0][b[0]] and alone[1][b[2]]

    def candidate(k: int) -> tuple[float, list[int]] | None:
        """Gain of joining bead k with the next live bead, or None if not allowed."""
        q = nxt[k]
        if q >= len(beads) or not (aligned[k] or aligned[q]):
            return None
        x, y = beads[k], beads[q]
        if not (sized(x) and sized(y)):
            return None   # an empty line stays on its own
        joined = [x[0], y[1], x[2], y[3]]
        if joined[1] - joined[0] > cfg.max_side or joined[3] - joined[2] > cfg.max_side:
            return None
        f = sim(*joined)
        margin = cfg.merge_margin if aligned[k] and aligned[q] else cfg.merge_gain
        # an unaligned part adds length but no similarity
        sx, sy = sized(x), sized(y)
        fx = score[k] if aligned[k] else 0.0
        fy = score[q] if aligned[q] else 0.0
        gain = f - (sx * fx + sy * fy) / (sx + sy) - margin
        if not (aligned[k] and aligned[q]):
            u = y if aligned[k] else x   # the unaligned bead
            side = 0 if u[0] < u[1] else 1
            if alone[side][u[2 * side]]:
                # a heading or boilerplate line joins a neighbour only if it raises the neighbour's
                # similarity itself (not just more than its length would lower it)
                gain = min(gain, f - max(fx, fy) - cfg.merge_gain)
            if continues[side][y[2 * side]]:
                # the unaligned sentence is a piece of its neighbour's sentence (or the reverse): it
                # joins unless that clearly lowers the similarity, even if it adds none
                gain = max(gain, f - max(fx, fy) + cfg.drop_tolerance)
        elif heading(x) or heading(y):
            gain = min(gain, f - max(fx, fy) + cfg.drop_tolerance)
        elif closes[0][y[0]] and closes[1][y[2]]:
            gain = max(gain, 1.0)   # one sentence cut inside parentheses on both sides: its pieces belong together
        return (gain, joined) if gain > 0 else None

    heap: list[tuple[float, int, int, int]] = []

    def push(k: int) -> None:
        if 0 <= k < len(beads) and alive[k]:
            c = candidate(k)
            if c is not None:
                heapq.heappush(heap, (-c[0], k, version[k], version[nxt[k]]))

    for k in range(len(beads) - 1):
        push(k)
    while heap:
        _, k, vk, vq = heapq.heappop(heap)
        q = nxt[k] if alive[k] else -1
        if q < 0 or q >= len(beads) or version[k] != vk or version[q] != vq:
            continue
        c = candidate(k)
        if c is None:
            continue
        beads[k] = c[1]
        aligned[k] = True
        score[k] = sim(*c[1])
        alive[q] = False
        nxt[k] = nxt[q]
        if nxt[q] < len(beads):
            prv[nxt[q]] = k
        version[k] += 1
        push(k)
        push(prv[k])
    return [b for b, al in zip(beads, alive) if al]


def read_sentence_file(path: str | Path) -> list[str]:
    """One sentence per line (UTF-8); surrounding whitespace of each line is stripped, empty lines kept."""
    return [line.strip() for line in read_lines(path)]


def format_alignment(beads: Sequence[Bead]) -> str:
    """Vecalign format, one bead per line: ``[i, j]:[k]:0.8731``."""
    return "".join(f"[{', '.join(map(str, b.src))}]:[{', '.join(map(str, b.tgt))}]:{b.score:.4f}\n" for b in beads)


def write_alignment(beads: Sequence[Bead], path: str | Path) -> None:
    """Write ``format_alignment(beads)`` atomically (temporary file, then rename)."""
    write_text_atomic(path, format_alignment(beads))
