#!/usr/bin/env python3
"""Evaluate French→English MT systems on an align dataset: the same as `align evaluate`.

    scripts/bleu_eval.py out/ --system apertium --system hyp.txt [--min-score 0.7] [--json] [--report DIR]

A thin wrapper over align.report.run (sacrebleu BLEU/chrF/chrF++/TER, bootstrap intervals,
paired tests against the first system), for use where the `align` command is not installed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from align.errors import AlignError
from align.evaluate import DEFAULT_BOOTSTRAP, DEFAULT_TRIALS
from align.report import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", help="dataset folder written by `align run`")
    parser.add_argument(
        "--system", "-s", action="append", required=True, metavar="NAME",
        help="engine (argos, apertium, argos:beam=4) or hypothesis file; repeat; first is the baseline",
    )
    parser.add_argument("--min-score", type=float, default=None, help="evaluate only pairs scoring at least this")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--report", metavar="DIR", help="also write an HTML report to DIR")
    parser.add_argument("--bootstrap", type=int, default=DEFAULT_BOOTSTRAP, help="bootstrap resamples (0: none)")
    parser.add_argument("--trials", type=int, default=DEFAULT_TRIALS, help="approximate-randomisation trials (0: skip)")
    parser.add_argument("--cache", type=Path, default=None, help="translation cache file")
    parser.add_argument("--no-cache", action="store_true", help="translate again instead of using the cache")
    args = parser.parse_args(argv)
    try:
        run(
            args.dataset,
            args.system,
            min_score=args.min_score,
            n_bootstrap=args.bootstrap,
            n_trials=args.trials,
            as_json=args.json,
            report_dir=args.report,
            cache=args.cache,
            use_cache=not args.no_cache,
        )
    except AlignError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
