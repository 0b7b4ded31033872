"""Score sentence and document alignments against a gold standard.

Sentence alignments use the strict/lax measures of Sennrich & Volk (2011) with
the exact semantics of Vecalign's ``score.py``: precision over every output
pair (insertions and deletions included), recall over gold pairs with both
sides non-empty, counts summed over documents (micro average).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from align.errors import AlignError
from align.translate.lines import read_lines

Pair = tuple[tuple[int, ...], tuple[int, ...]]

_LINE = re.compile(r"^\s*\[([0-9,\s]*)\]\s*:\s*\[([0-9,\s]*)\]\s*(?::\s*(\S+)\s*)?$")


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.replace(",", " ").split())


def parse_alignment_line(line: str) -> tuple[Pair, float | None]:
    """Parse one ``[i, j]:[k]`` or ``[i, j]:[k]:score`` line; raise ValueError if malformed."""
    m = _LINE.match(line)
    if m is None:
        raise ValueError("expected '[source ids]:[target ids]' with an optional ':score'")
    score = None
    if m.group(3) is not None:
        score = float(m.group(3))
    return (_ids(m.group(1)), _ids(m.group(2))), score


def _read_text(p: Path, what: str, expected: str) -> str:
    """The UTF-8 text of ``p``; a missing, non-UTF-8 or unreadable file is a one-line error."""
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AlignError(f"{p}: no such {what}") from None
    except UnicodeDecodeError:
        raise AlignError(f"{p}: not UTF-8 text; expected {expected}") from None
    except OSError as exc:
        raise AlignError(f"{p}: cannot read ({exc.strerror})") from None


def read_alignment(path: str | Path) -> list[Pair]:
    """Read a Vecalign-format alignment file (``[i, j]:[k]``, optional ``:score``); blank lines skipped."""
    p = Path(path)
    text = _read_text(p, "alignment file", "one '[i]:[j]' alignment per line")
    pairs: list[Pair] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            pair, _ = parse_alignment_line(line)
        except ValueError as exc:
            raise AlignError(f"{p}:{n}: malformed alignment line {line.strip()[:60]!r}: {exc}") from None
        pairs.append(pair)
    return pairs


def check_alignment_ids(pairs: Iterable[Pair], n_src: int | None, n_tgt: int | None, name: str) -> None:
    """Raise AlignError if an id is outside ``0..n-1`` for a side whose sentence count is known."""
    for side, n, pos in (("source", n_src, 0), ("target", n_tgt, 1)):
        if n is None:
            continue
        for pair in pairs:
            bad = [i for i in pair[pos] if i >= n]
            if bad:
                raise AlignError(
                    f"{name}: {side} id {bad[0]} is out of range (the {side} has {n} sentences, ids 0..{n - 1})"
                )


def read_alignments(
    gold: Sequence[str | Path], pred: Sequence[str | Path], src: Sequence[str | Path] = (), tgt: Sequence[str | Path] = ()
) -> tuple[list[list[Pair]], list[list[Pair]]]:
    """Gold and predicted alignments, one file of each per document (same order). When the
    documents' sentence files are given (``src``/``tgt``, one per document), ids are checked
    to be in range."""
    golds: list[list[Pair]] = []
    preds: list[list[Pair]] = []
    for k, (g, p) in enumerate(zip(gold, pred)):
        n_src = len(read_lines(src[k])) if src else None
        n_tgt = len(read_lines(tgt[k])) if tgt else None
        for path, store in ((g, golds), (p, preds)):
            pairs = read_alignment(path)
            check_alignment_ids(pairs, n_src, n_tgt, str(path))
            store.append(pairs)
    return golds, preds


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class AlignmentScores:
    strict: PRF
    lax: PRF
    n_pred: int       # output pairs, insertions/deletions included (precision denominator)
    n_gold: int       # gold pairs with both sides non-empty (recall denominator)


def _clean(pairs: Iterable[Sequence[Sequence[int]]]) -> set[Pair]:
    return {(tuple(s), tuple(t)) for s, t in pairs if len(s) or len(t)}


def _hits(gold: set[Pair], test: set[Pair]) -> tuple[int, int, int]:
    """(strict hits, lax hits, number of test pairs): Vecalign's ``_precision``."""
    src_to_gold_tgt: dict[int, set[int]] = defaultdict(set)
    for gs, gt in gold:
        for s in gs:
            src_to_gold_tgt[s].update(gt)
    strict = lax = 0
    for ts, tt in test:
        if (ts, tt) in gold:
            strict += 1
            lax += 1
        elif any(t in src_to_gold_tgt.get(s, ()) for s in ts for t in tt):
            lax += 1
    return strict, lax, len(test)


def _prf(p_hits: int, p_n: int, r_hits: int, r_n: int) -> PRF:
    p = p_hits / p_n if p_n else 0.0
    r = r_hits / r_n if r_n else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(p, r, f)


def score_alignments(gold: Sequence[Sequence[Pair]], pred: Sequence[Sequence[Pair]]) -> AlignmentScores:
    """Strict and lax P/R/F1 of predicted alignments, one list of pairs per document, micro-averaged."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold documents but {len(pred)} predicted ones")
    ps = pl = pn = rs = rl = rn = 0
    for g_doc, p_doc in zip(gold, pred):
        g, p = _clean(g_doc), _clean(p_doc)
        s, lx, n = _hits(g, p)
        ps, pl, pn = ps + s, pl + lx, pn + n
        # Recall is precision with the roles swapped, insertions/deletions removed on both sides.
        g2 = {x for x in g if x[0] and x[1]}
        p2 = {x for x in p if x[0] and x[1]}
        s, lx, n = _hits(p2, g2)
        rs, rl, rn = rs + s, rl + lx, rn + n
    return AlignmentScores(_prf(ps, pn, rs, rn), _prf(pl, pn, rl, rn), pn, rn)


def score_document_pairs(gold: set[tuple[str, str]], pred: set[tuple[str, str]]) -> tuple[float, float, float]:
    """Precision, recall and F1 of predicted (fr_id, en_id) document pairs against the gold pairs."""
    hits = len(set(gold) & set(pred))
    prf = _prf(hits, len(pred), hits, len(gold))
    return prf.precision, prf.recall, prf.f1


def read_document_pairs(path: str | Path) -> set[tuple[str, str]]:
    """Read ``fr_id<TAB>en_id`` lines (no header; blank lines skipped; a trailing score column is ignored)."""
    p = Path(path)
    text = _read_text(p, "document-pair file", "'fr_id<TAB>en_id' lines")
    pairs: set[tuple[str, str]] = set()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
            raise AlignError(f"{p}:{n}: expected 'fr_id<TAB>en_id', got {line.strip()[:60]!r}")
        pairs.add((cols[0].strip(), cols[1].strip()))
    return pairs
