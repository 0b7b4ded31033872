"""Sentence-alignment benchmark on every gold set in ../shared/bench (strict/lax P/R/F1, seconds).

Usage: .venv/bin/python scripts/bench_alignment.py [--bench-dir DIR] [--split dev|test] [--no-documents] [--calibration]

The held-out splits have the same layout as dev (`<set>/test/...`): `--split test` runs them.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from align.goldeval import AlignmentScores, read_alignment, score_alignments
from align.sentalign import Bead, align_sentences, read_sentence_file

# Reference figures on the same files, from the benchmark READMEs (strict F1 / lax F1).
BASELINES = {
    "dev": {
        ("textberg", "google"): ("Bleualign", 0.780, 0.979),
        ("textberg", "europarlfull"): ("Bleualign", 0.742, 0.957),
        ("textberg", "europarllight"): ("Bleualign", 0.626, 0.900),
        ("baf", "apertium"): ("Bertalign", 0.907, 0.989),
    },
    "test": {
        ("textberg", "google"): ("Bleualign", 0.809, 0.950),
        ("textberg", "europarlfull"): ("Bleualign", 0.807, 0.948),
        ("textberg", "europarllight"): ("Bleualign", 0.660, 0.832),
        ("baf", "apertium"): ("Bertalign", 0.922, 0.989),
    },
}


@dataclass(frozen=True)
class Doc:
    src: list[str]
    tgt: list[str]
    mt: list[str]
    gold: list[tuple[tuple[int, ...], tuple[int, ...]]]


def load(doc_dir: Path, src: str, tgt: str, mt: str) -> Doc:
    return Doc(read_sentence_file(doc_dir / src), read_sentence_file(doc_dir / tgt),
               read_sentence_file(doc_dir / mt), read_alignment(doc_dir / "gold.txt"))


def _doc_dirs(root: Path, name: str, split: str) -> list[Path]:
    folder = root / name / split
    return sorted(p for p in folder.iterdir() if (p / "gold.txt").exists()) if folder.is_dir() else []


def benchmarks(root: Path, split: str = "dev") -> list[tuple[str, str, list[Doc]]]:
    """Every set of `split` present under `root` (a missing set is left out)."""
    out = []
    tb = _doc_dirs(root, "textberg", split)
    for system in ("google", "europarlfull", "europarllight"):
        if tb:
            out.append(("textberg", system, [load(d, "source.de", "target.fr", f"mt.{system}.fr") for d in tb]))
    for name in ("baf", "fren-europarl"):
        if docs := _doc_dirs(root, name, split):
            out.append((name, "apertium", [load(d, "source.fr", "target.en", "mt.apertium.en") for d in docs]))
    return out


def with_deletions(d: Doc, share: float, rng: random.Random) -> Doc:
    """``d`` with ``share`` of the targets of its 1-1 gold beads deleted (their sources become deletions).

    A stress test for held-out texts with many more deletions than the dev sets (e.g. abridged novels).
    """
    drop = {t[0] for s, t in d.gold if len(s) == 1 and len(t) == 1 and rng.random() < share}
    new_id = {j: k for k, j in enumerate(j for j in range(len(d.tgt)) if j not in drop)}
    gold = [(tuple(s), tuple(new_id[j] for j in t if j in new_id)) for s, t in d.gold]
    return Doc(d.src, [d.tgt[j] for j in sorted(new_id)], d.mt, [(s, t) for s, t in gold if s or t])


def run(docs: list[Doc], align: Callable[[Doc], list[Bead]],
        repeats: int = 1) -> tuple[AlignmentScores, float, list[list[Bead]]]:
    """Scores and seconds (the fastest of ``repeats`` runs: the machine is shared, the minimum is the least noisy)."""
    secs = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        preds = [align(d) for d in docs]
        secs = min(secs, time.perf_counter() - t0)
    scores = score_alignments([d.gold for d in docs], [[(b.src, b.tgt) for b in p] for p in preds])
    return scores, secs, preds


def calibration(docs: list[Doc], preds: list[list[Bead]]) -> str:
    """Strict precision of the beads whose score is at least 0.5 / 0.8 (how meaningful scores are)."""
    parts = []
    for thr in (0.5, 0.8):
        hit = tot = 0
        for d, p in zip(docs, preds):
            gold = {(tuple(s), tuple(t)) for s, t in d.gold}
            for b in p:
                if b.score >= thr:
                    tot += 1
                    hit += (b.src, b.tgt) in gold
        parts.append(f"P(score>={thr})={hit / tot:.3f} (n={tot})" if tot else f"P(score>={thr})=n/a")
    return " ".join(parts)


def bench_documents(root: Path, split: str = "dev") -> None:
    """Document alignment on fren-wiki-docs `split` (Apertium MT through the translation cache), against
    a baseline measured in the same run: each French document paired with its most similar English one."""
    from align.corpus import load_corpus
    from align.docalign import align_documents, similarity_matrix
    from align.goldeval import read_document_pairs, score_document_pairs
    from align.segment import segment_document
    from align.translate import get_translator

    dev = root / "fren-wiki-docs" / split
    if not (dev / "gold.tsv").exists():
        print(f"\nno document benchmark at {dev}")
        return
    fr, en = ({seg.document.id: seg.texts for seg in map(segment_document, load_corpus([dev / lang], lang=lang).documents)}
              for lang in ("fr", "en"))
    t0 = time.perf_counter()
    with get_translator("apertium") as translator:
        fr_mt = {doc_id: translator.translate(sentences) for doc_id, sentences in fr.items()}
    mt_secs = time.perf_counter() - t0
    t0 = time.perf_counter()
    pairs = {(p.fr_id, p.en_id) for p in align_documents(fr, fr_mt, en)}
    secs = time.perf_counter() - t0
    fr_ids, en_ids = sorted(fr), sorted(en)
    sim = similarity_matrix([" ".join(fr_mt[i]) for i in fr_ids], [" ".join(en[i]) for i in en_ids])
    baseline = {(fr_ids[i], en_ids[int(j)]) for i, j in enumerate(sim.argmax(axis=1))}
    gold = read_document_pairs(dev / "gold.tsv")
    unpaired = (set(fr) - {f for f, _ in gold}) | (set(en) - {e for _, e in gold})
    print(f"\ndocument alignment, fren-wiki-docs {split} ({len(fr)} FR, {len(en)} EN, {len(gold)} gold pairs, "
          f"{len(unpaired)} distractors); MT: Apertium {mt_secs:.1f} s (cached after the first run)")
    print(f"{'method':<36}{'pairs':>6}{'P':>7}{'R':>7}{'F1':>7}{'distractors paired':>20}{'sec':>8}")
    rows = [("align_documents (margin + coverage)", pairs, secs), ("baseline: TF-IDF argmax per FR doc", baseline, None)]
    for name, pred, took in rows:
        p, r, f = score_document_pairs(gold, pred)
        paired = len(unpaired & {d for pair in pred for d in pair})
        print(f"{name:<36}{len(pred):>6}{p:>7.3f}{r:>7.3f}{f:>7.3f}{paired:>20}" + (f"{took:>8.2f}" if took else ""))
    f_ours, f_base = score_document_pairs(gold, pairs)[2], score_document_pairs(gold, baseline)[2]
    print(f"F1 ratio ours / baseline: {f_ours / f_base:.2f}" if f_base else "")
    # Stress: remove the English partner of 5 French documents and the French partner of 5 others,
    # which doubles the distractors (10 random draws, fixed seed).
    rng = random.Random(13)
    draws = []
    for _ in range(10):
        drop = rng.sample(sorted(gold), 10)
        drop_en, drop_fr = {e for _, e in drop[:5]}, {f for f, _ in drop[5:]}
        sub_fr = {k: v for k, v in fr.items() if k not in drop_fr}
        sub_en = {k: v for k, v in en.items() if k not in drop_en}
        sub_gold = {(f, e) for f, e in gold if f in sub_fr and e in sub_en}
        pred = {(x.fr_id, x.en_id) for x in align_documents(sub_fr, {k: fr_mt[k] for k in sub_fr}, sub_en)}
        p, r, _ = score_document_pairs(sub_gold, pred)
        draws.append((p, r, len(pred - sub_gold)))
    print(f"stress (10 gold pairs broken: 5 more French, 5 more English distractors; 10 draws): "
          f"mean P {sum(d[0] for d in draws) / 10:.3f}, mean R {sum(d[1] for d in draws) / 10:.3f}, "
          f"false pairs {sum(d[2] for d in draws)} in total")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "bench",
                    help="folder holding textberg/, baf/, fren-europarl/, fren-wiki-docs/ (default: ../shared/bench)")
    ap.add_argument("--split", default="dev", help="which split folder to read in each set (dev, or test when you have it)")
    ap.add_argument("--documents", action=argparse.BooleanOptionalAction, default=True,
                    help="also run the document-alignment benchmark (fren-wiki-docs)")
    ap.add_argument("--calibration", action="store_true", help="print the precision of high-score beads")
    args = ap.parse_args()
    sets = benchmarks(args.bench_dir, args.split)
    if not sets:
        print(f"no sentence-alignment set with a {args.split}/ folder under {args.bench_dir}", file=sys.stderr)
        return 1

    def ours(d: Doc) -> list[Bead]:
        return align_sentences(d.src, d.tgt, d.mt)

    ours(sets[0][2][0])  # warm-up: numba compilation / cache load is not part of the timing
    print("seconds: in-process, after warm-up, fastest of 3 runs")
    header = f"{'benchmark':<14}{'MT':<14}{'docs':>5}{'P':>7}{'R':>7}{'F1':>7}{'laxP':>7}{'laxR':>7}{'laxF1':>7}{'sec':>8}  reference (strict/lax F1)"
    print(header)
    print("-" * len(header))
    for name, system, docs in sets:
        s, secs, preds = run(docs, ours, repeats=3)
        ref = BASELINES.get(args.split, {}).get((name, system))
        ref_txt = f"{ref[0]} {ref[1]:.3f}/{ref[2]:.3f}" if ref else ""
        print(f"{name:<14}{system:<14}{len(docs):>5}{s.strict.precision:>7.3f}{s.strict.recall:>7.3f}"
              f"{s.strict.f1:>7.3f}{s.lax.precision:>7.3f}{s.lax.recall:>7.3f}{s.lax.f1:>7.3f}{secs:>8.3f}  {ref_txt}")
        if args.calibration:
            print(f"{'':<28}{calibration(docs, preds)}")
    # stress: BAF (documents under 2,000 sentences) and Europarl with 20% of the 1-1 target sentences deleted
    base = [d for name, _system, docs in sets if name in ("baf", "fren-europarl") for d in docs
            if len(d.src) < 2000]
    stressed = [with_deletions(d, 0.2, random.Random(k)) for k, d in enumerate(base)]
    if stressed:
        s, secs, _ = run(stressed, ours)
        print(f"{'20% deleted':<14}{'apertium':<14}{len(stressed):>5}{s.strict.precision:>7.3f}{s.strict.recall:>7.3f}"
              f"{s.strict.f1:>7.3f}{s.lax.precision:>7.3f}{s.lax.recall:>7.3f}{s.lax.f1:>7.3f}{secs:>8.3f}  "
              f"stress test: BAF + Europarl {args.split}, 20% of 1-1 targets deleted")
    if args.documents:
        bench_documents(args.bench_dir, args.split)
    print(f"\nreproduce: .venv/bin/python scripts/bench_alignment.py --bench-dir {args.bench_dir} --split {args.split}"
          + ("" if args.documents else " --no-documents") + (" --calibration" if args.calibration else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
