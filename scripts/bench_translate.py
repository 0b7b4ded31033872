#!/usr/bin/env python3
"""Benchmark the translation engines against the way their users usually run them.

Argos: a random model the size of a real Argos fr→en model (Transformer base: 6+6 layers,
d_model 512, 8 heads, FFN 2048, 32k vocabulary, int8), built offline by
scripts/make_tiny_argos_package.py, on French sentences from the local corpora.
  (a) `argostranslate.translate.translate()` called once per sentence (how Argos users
      translate), and
  (b) our engine (align.translate.argos.ArgosTranslator: one batched `translate_batch`),
on the same sentences, same beam size, same threads, int8. Each runs in its own process,
so peak memory is its own. Argos' own sentence splitter (MiniSBD) downloads a model at run
time and argos-translate-lt has no offline splitter setting (ARGOS_CHUNK_TYPE only offers
MiniSBD, Stanza or spaCy, none installed offline), so (a) gets an identity splitter (each input
is already one sentence): this only makes (a) faster, so the ratio is conservative.

Apertium: our long-lived null-flush pipeline against one `apertium -u fr-es | apertium -u
spa-eng` process chain per sentence.

    .venv/bin/python scripts/bench_translate.py            # ~3 minutes on 2 busy cores
    .venv/bin/python scripts/bench_translate.py --quick    # fewer sentences
    .venv/bin/python scripts/bench_translate.py --sentences 2000 --sweep 400 \
        --batch-sizes 1024,2048,4096 --apertium-processes 20   # the full run (~10 minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
SOURCES = sorted(Path("/work/shared/bench").glob("*/dev/*/source.fr")) + sorted(
    (ROOT / "corpus").glob("*.txt")
)


def french_sentences(count: int, seed: int = 0) -> list[str]:
    """`count` sentences of 4-60 words from the local corpora, shuffled; repeated if short."""
    from align.segment import split_sentences

    pool: list[str] = []
    for path in SOURCES:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            pool += [s for s in split_sentences(line, "fr") if 4 <= len(s.split()) <= 60]
    pool = sorted(set(pool))
    rng = random.Random(seed)
    rng.shuffle(pool)
    while len(pool) < count:
        pool += pool[: count - len(pool)]
    return pool[:count]


def ending_sentences(sentences: list[str], package: object, threads: int) -> list[str]:
    """The sentences whose greedy output under the random model ends within 64 tokens.

    A real model ends every sentence; a random one sometimes loops until the 256-token limit,
    and those few runs would dominate both timings. Greedy search is a cheap proxy for beam
    search here because the random model's logits are sharp.
    """
    import ctranslate2
    import sentencepiece

    model = ctranslate2.Translator(str(package.model_path), compute_type="int8", intra_threads=threads)
    processor = sentencepiece.SentencePieceProcessor(model_file=str(package.sentencepiece_path))
    results = model.translate_batch(
        processor.encode(sentences, out_type=str), beam_size=1, max_decoding_length=64,
        max_batch_size=4096, batch_type="tokens",
    )
    return [s for s, r in zip(sentences, results) if len(r.hypotheses[0]) < 64]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- workers (run in child processes) -----------------------------------------------------


def worker_argos_per_sentence(sentences: list[str]) -> dict[str, float]:
    import argostranslate.translate as argos_translate

    class WholeInput:
        """Identity splitter: the input is already one sentence (see the module doc)."""

        def split_sentences(self, text: str) -> list[str]:
            return [text]

    argos_translate.get_translation_from_codes("fr", "en").underlying.sentencizer = WholeInput()
    argos_translate.translate(sentences[0], "fr", "en")  # load the model outside the timing
    start = time.perf_counter()
    outputs = [argos_translate.translate(s, "fr", "en") for s in sentences]
    return {"seconds": time.perf_counter() - start, "outputs": outputs}  # type: ignore[dict-item]


def worker_batched(sentences: list[str], batch_tokens: int, beam: int, threads: int) -> dict[str, float]:
    from align.translate.argos import ArgosTranslator

    translator = ArgosTranslator(
        "fr", "en", beam_size=beam, max_batch_tokens=batch_tokens, threads=threads
    )
    translator.translate(sentences[:1])  # load/warm up outside the timing
    start = time.perf_counter()
    outputs = translator.translate(sentences)
    return {"seconds": time.perf_counter() - start, "outputs": outputs}  # type: ignore[dict-item]


def run_worker(args: argparse.Namespace) -> None:
    sentences = json.loads(Path(args.worker_input).read_text(encoding="utf-8"))
    if args.worker == "per-sentence":
        result = worker_argos_per_sentence(sentences)
    else:
        result = worker_batched(sentences, args.batch_tokens, args.beam, args.threads)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result, ensure_ascii=False))


# --- orchestration ------------------------------------------------------------------------


def target_tokens(outputs: list[str], sp_model: Path) -> int:
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_file=str(sp_model))
    return sum(len(ids) for ids in processor.encode(outputs))


def child(mode: str, sentences: list[str], work: Path, args: argparse.Namespace, batch_tokens: int = 0) -> dict:
    data = work / f"{mode}-{batch_tokens}.json"
    data.write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
    command = [
        sys.executable, __file__, "--worker", mode, "--worker-input", str(data),
        "--batch-tokens", str(batch_tokens), "--beam", str(args.beam), "--threads", str(args.threads),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{mode} worker failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def line(label: str, result: dict, n: int, tokens: int) -> str:
    seconds = result["seconds"]
    return (
        f"  {label:<34} {n:>5} sent  {seconds:7.2f} s  {n / seconds:8.1f} sent/s  "
        f"{tokens / seconds:8.1f} tgt tok/s  peak RSS {result['peak_rss_mb']:.0f} MB"
    )


def bench_argos(args: argparse.Namespace, work: Path) -> None:
    sys.path.insert(0, str(SCRIPTS))
    import make_tiny_argos_package as maker

    from align.translate import argos_packages

    shape = maker.ModelShape(layers=6, d_model=512, heads=8, ffn=2048, vocab=32000)
    started = time.perf_counter()
    package = maker.build_package(work / "base.argosmodel", shape=shape, corpus_limit=7000, eos_bias=args.eos_bias)
    installed = argos_packages.install_file(package)
    print(f"Argos: random Transformer-base package built and installed in {time.perf_counter() - started:.1f} s "
          f"({installed.size_bytes / 2**20:.0f} MB, beam {args.beam}, {args.threads} threads, int8)")
    sentences = ending_sentences(french_sentences(int(args.sentences * 1.5)), installed, args.threads)
    sentences = sentences[: args.sentences]
    subset = sentences[: args.per_sentence]
    sp_model = installed.sentencepiece_path

    per_sentence = child("per-sentence", subset, work, args)
    base_tokens = target_tokens(per_sentence["outputs"], sp_model)
    print(line("(a) argostranslate per sentence", per_sentence, len(subset), base_tokens))
    base_rate = base_tokens / per_sentence["seconds"]

    same = child("batched", subset, work, args, batch_tokens=args.batch_sizes[0])
    same_tokens = target_tokens(same["outputs"], sp_model)
    print(line(f"(b) batched, same {len(subset)} sentences", same, len(subset), same_tokens))
    # Filler vocabulary entries (see make_tiny_argos_package.vocabulary) are not SentencePiece
    # pieces: Argos turns their "▁" into a space, SentencePiece leaves it.
    agree = sum(a.replace("▁", " ").split() == b.replace("▁", " ").split()
                for a, b in zip(per_sentence["outputs"], same["outputs"])) / len(subset)
    print(f"      identical outputs (a) vs (b): {agree:.0%}; "
          f"mean target tokens per sentence: {same_tokens / len(subset):.1f}")

    sweep = sentences[: args.sweep]
    best = None
    for batch_tokens in args.batch_sizes:
        result = child("batched", sweep, work, args, batch_tokens=batch_tokens)
        tokens = target_tokens(result["outputs"], sp_model)
        print(line(f"(b) batched, max_batch={batch_tokens} tokens", result, len(sweep), tokens))
        rate = tokens / result["seconds"]
        if best is None or rate > best[1]:
            best = (batch_tokens, rate)
    assert best is not None
    full = child("batched", sentences, work, args, batch_tokens=best[0])
    full_tokens = target_tokens(full["outputs"], sp_model)
    print(line(f"(b) batched, best ({best[0]}), all", full, len(sentences), full_tokens))
    print(f"  best batch size: {best[0]} tokens")
    print(f"  RATIO target tokens/s (b)/(a): {same_tokens / same['seconds'] / base_rate:.1f}x on the same "
          f"{len(subset)} sentences, {full_tokens / full['seconds'] / base_rate:.1f}x on {len(sentences)} "
          f"sentences with the best batch size (target >= 4x)")


def bench_apertium(args: argparse.Namespace) -> None:
    from align.translate import apertium

    if not apertium.is_available():
        print(f"Apertium: skipped (not installed: {apertium.install_command()})")
        return
    sentences = french_sentences(args.apertium_sentences, seed=1)
    with apertium.ApertiumTranslator("fr", "en") as ours:
        ours.translate(sentences[:1])  # start the pipeline outside the timing
        start = time.perf_counter()
        ours.translate(sentences)
        ours_seconds = time.perf_counter() - start
    few = sentences[: args.apertium_processes]
    start = time.perf_counter()
    for sentence in few:
        subprocess.run("apertium -u fr-es | apertium -u spa-eng", shell=True, input=sentence,
                       capture_output=True, text=True, check=True)
    per_process = time.perf_counter() - start
    ours_rate, base_rate = len(sentences) / ours_seconds, len(few) / per_process
    print("Apertium fr→es→en:")
    print(f"  one apertium process chain per sentence   {len(few):>5} sent  {per_process:7.2f} s  {base_rate:8.1f} sent/s")
    print(f"  ours (one null-flush pipeline)            {len(sentences):>5} sent  {ours_seconds:7.2f} s  {ours_rate:8.1f} sent/s")
    print(f"  RATIO sentences/s ours/per-process: {ours_rate / base_rate:.0f}x (target >= 100x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer sentences (about a minute)")
    parser.add_argument("--sentences", type=int, default=600, help="sentences for the final batched run (2000: the full benchmark, ~10 min on a busy 2-core machine)")
    parser.add_argument("--per-sentence", type=int, default=60, help="sentences for (a) and the same-input (b)")
    parser.add_argument("--sweep", type=int, default=200, help="sentences for the batch-size sweep")
    parser.add_argument("--batch-sizes", default="1024,2048", help="max_batch_size values (tokens) to try")
    parser.add_argument("--beam", type=int, default=4, help="beam size for both (Argos' default is 4)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--eos-bias", type=float, default=13.0, help="random model: logit bonus of </s>")
    parser.add_argument("--apertium-sentences", type=int, default=1000)
    parser.add_argument("--apertium-processes", type=int, default=10)
    parser.add_argument("--skip", choices=["argos", "apertium"], action="append", default=[])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-input", help=argparse.SUPPRESS)
    parser.add_argument("--batch-tokens", type=int, default=2048, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(args)
        return
    if args.quick:
        args.sentences, args.per_sentence, args.sweep = 200, 30, 100
        args.apertium_sentences, args.apertium_processes = 300, 10
    args.batch_sizes = [int(x) for x in args.batch_sizes.split(",")]
    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    with tempfile.TemporaryDirectory(prefix="bench-translate-") as tmp:
        work = Path(tmp)
        # Argos reads its folders and settings at import: isolate them, and give (a) the same
        # settings as (b) (int8, threads, beam).
        os.environ.update(
            XDG_DATA_HOME=str(work / "data"), XDG_CONFIG_HOME=str(work / "config"),
            XDG_CACHE_HOME=str(work / "cache"), ARGOS_PACKAGES_DIR=str(work / "packages"),
            ARGOS_COMPUTE_TYPE="int8", ARGOS_INTRA_THREADS=str(args.threads),
            ARGOS_BEAM_SIZE=str(args.beam), ARGOS_DEVICE_TYPE="cpu",
        )
        if "argos" not in args.skip:
            bench_argos(args, work)
        if "apertium" not in args.skip:
            bench_apertium(args)


if __name__ == "__main__":
    main()
