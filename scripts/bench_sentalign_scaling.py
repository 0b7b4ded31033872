"""Sentence-alignment time and peak memory on synthetic long documents (1k, 10k, 50k sentences per side).

Documents are made by repeating the 1-1 sentence pairs of BAF dev (Apertium MT as the source side), with about 3%
of the sentences deleted on each side, so the path is not the diagonal. Peak memory is the process's
maximum resident set size (ru_maxrss) after each size, so it only grows.

Usage: .venv/bin/python scripts/bench_sentalign_scaling.py [--sizes 1000,10000,50000]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from pathlib import Path

from align.goldeval import read_alignment, score_alignments
from align.sentalign import align_sentences, read_sentence_file


def synthetic(n: int, mt: list[str], tgt: list[str], rng: random.Random) -> tuple[list[str], list[str], list]:
    """n MT/target pairs tiled from a parallel list (1-1 only), with ~3% deletions on each side."""
    src_out, tgt_out, gold = [], [], []
    k = 0
    while len(src_out) < n or len(tgt_out) < n:
        a, b = mt[k % len(mt)], tgt[k % len(tgt)]
        k += 1
        r = rng.random()
        if r < 0.03 and len(src_out) < n:
            gold.append(((len(src_out),), ()))
            src_out.append(a)
        elif r < 0.06 and len(tgt_out) < n:
            gold.append(((), (len(tgt_out),)))
            tgt_out.append(b)
        elif len(src_out) < n and len(tgt_out) < n:
            gold.append(((len(src_out),), (len(tgt_out),)))
            src_out.append(a)
            tgt_out.append(b)
        else:
            break
    return src_out, tgt_out, gold


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench-dir", type=Path, default=Path("/work/shared/bench"))
    ap.add_argument("--sizes", default="1000,10000,50000")
    args = ap.parse_args()
    mt, tgt = [], []
    for name in ("citi1", "citi2", "xerox"):   # the 1-1 gold pairs of BAF dev: ~5000 distinct sentence pairs
        doc = args.bench_dir / "baf" / "dev" / name
        m_, t_ = read_sentence_file(doc / "mt.apertium.en"), read_sentence_file(doc / "target.en")
        ones = [(s[0], t[0]) for s, t in read_alignment(doc / "gold.txt") if len(s) == 1 and len(t) == 1]
        mt += [m_[i] for i, _ in ones]
        tgt += [t_[j] for _, j in ones]
    align_sentences(mt[:50], tgt[:50], mt[:50])  # warm-up (numba cache)
    base = None
    print(f"{'sentences':>10}{'seconds':>10}{'ratio':>8}{'peak RSS MB':>13}{'strict F1':>11}")
    for n in (int(x) for x in args.sizes.split(",")):
        src, trg, gold = synthetic(n, mt, tgt, random.Random(n))
        t0 = time.perf_counter()
        beads = align_sentences(src, trg, src)
        secs = time.perf_counter() - t0
        base = base or secs / n
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        f1 = score_alignments([gold], [[(b.src, b.tgt) for b in beads]]).strict.f1
        print(f"{n:>10}{secs:>10.2f}{secs / n / base:>8.2f}{rss:>13.0f}{f1:>11.3f}  (time per sentence vs the first size)")
    print(f"\nreproduce: .venv/bin/python scripts/bench_sentalign_scaling.py --sizes {args.sizes}")


if __name__ == "__main__":
    main()
