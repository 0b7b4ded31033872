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
4. best-first joining of adjacent beads into n-m beads (up to ``max_side``), with a
   margin that shrinks when the document's MT matches weakly, and cues from the text:
   a lower-case start continues the sentence before; a piece the splitter cut off a
   sentence on both sides (a parenthesis closed that the piece before opened, a
   lower-case start after a full stop, a year in parentheses opening a reference) is
   joined to it; a line without final punctuation (heading, boilerplate) stands on its
   own; punctuation-only segments are placed by position and typography; then each joined bead is
   cut in two where a cut explains it as well (the joining test, re-checked on the
   final bead) (joining.py);
5. a passage whose items come in another order on each side (a glossary sorted in each
   language), found from links that cross each other, becomes one bead (reorder.py);
6. a calibrated score for every bead (calibration.py).

Parameters are in ``AlignConfig`` (config.py).

See the README section "Sentence alignment" for the reasons behind each step.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from align.atomic import write_text_atomic
from align.errors import AlignError
from align.sentalign.calibration import Evidence, bead_evidence, score_bead
from align.sentalign.config import AlignConfig
from align.sentalign.dp import (background, band_from_path, band_overlaps, block_dice, pair_band, pair_features,
                              pairs_dice, path_dp, sketch_band_sims)
from align.sentalign.features import bags, ngram_keys, normalise_rows, sketch, vocabulary
from align.sentalign.joining import aligned, join_beads
from align.sentalign.reorder import candidates, crossing_links, merge_reordered
from align.translate.lines import read_lines

__all__ = ["AlignConfig", "Bead", "Evidence", "align_evidence", "align_sentences", "format_alignment",
           "read_sentence_file", "write_alignment"]


@dataclass(frozen=True)
class Bead:
    src: tuple[int, ...]     # source sentence ids (may be empty)
    tgt: tuple[int, ...]     # target sentence ids (may be empty)
    score: float             # probability-like confidence in [0, 1]


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
    """Narrow band around the best 1-1 path of sentence sketches (rows L2-normalised; searched in a coarse band
    if long)."""
    n, m = len(sa), len(sb)
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
    return [Bead(tuple(range(s0, s1)), tuple(range(t0, t1)), 1.0 if certain else score_bead(e))
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
    sa = normalise_rows(sketch(ba, wab, vocab, cfg.sketch_dim))
    sb = normalise_rows(sketch(bb, wab, vocab, cfg.sketch_dim))
    jlo, jhi = _path_band(sa, sb, cfg)
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

    spans = join_beads(spans, src, tgt, quality, sized, _scaled_margins(cfg, [sim(*b) for b in spans if aligned(b)]))
    if cfg.reorder_window > 0:
        spans = _merge_reordered(spans, sa, sb, args, share, ba.chars, bb.chars, cfg)
    return spans, bead_evidence(spans, sim)


def _merge_reordered(spans: list[list[int]], sa: np.ndarray, sb: np.ndarray, args: list[tuple], share: list[float],
                     chars_a: np.ndarray, chars_b: np.ndarray, cfg: AlignConfig) -> list[list[int]]:
    """``spans`` with reordered passages merged (reorder.py): candidate pairs found by sketch cosine within
    ``reorder_window`` of the path, compared exactly, and the links among them."""
    ii, jj = candidates(sa, sb, spans, cfg.reorder_window)
    sim = sum(f * pairs_dice(ii, jj, *a[:-2]) for f, a in zip(share, args))   # a[-2:]: block_dice's scratch
    return merge_reordered(spans, crossing_links(ii, jj, sim, spans, chars_a, chars_b, cfg), cfg)


def _scaled_margins(cfg: AlignConfig, path_sims: list[float]) -> AlignConfig:
    """``cfg`` with the join margin shrunk for a document whose MT matches weakly.

    A weaker MT compresses every similarity, and the margin by which two aligned beads must gain to
    be joined is in similarity units. Measured on Text+Berg dev with three MT systems of one text, the
    best margin falls with the MT's quality; it shrinks here with the square root of the median 1-1
    similarity of the path, relative to ``margin_reference`` (documents above it keep the margin), to
    half the margin at most (below that the texts hardly match, and nothing would stop joining).
    """
    median = float(np.median(path_sims)) if path_sims else cfg.margin_reference
    scale = math.sqrt(min(1.0, max(0.25, median / cfg.margin_reference)))
    return dataclasses.replace(cfg, merge_margin=cfg.merge_margin * scale) if scale < 1.0 else cfg


def _fill_failed(mt: Sequence[str], texts: Sequence[str]) -> list[str]:
    """``mt`` with each empty translation of a non-empty text replaced by the text itself."""
    return [m if m.strip() or not t.strip() else t for m, t in zip(mt, texts)]


def read_sentence_file(path: str | Path) -> list[str]:
    """One sentence per line (UTF-8); surrounding whitespace of each line is stripped, empty lines kept."""
    return [line.strip() for line in read_lines(path)]


def format_alignment(beads: Sequence[Bead]) -> str:
    """Vecalign format, one bead per line: ``[i, j]:[k]:0.8731``."""
    return "".join(f"[{', '.join(map(str, b.src))}]:[{', '.join(map(str, b.tgt))}]:{b.score:.4f}\n" for b in beads)


def write_alignment(beads: Sequence[Bead], path: str | Path) -> None:
    """Write ``format_alignment(beads)`` atomically (temporary file, then rename)."""
    write_text_atomic(path, format_alignment(beads))
