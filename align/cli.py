"""Command-line interface: a thin typer layer over the Python API.

Each stage's commands live in their own section below; they parse options,
call the API function of that stage, and print.
"""

from __future__ import annotations

import dataclasses
import sys

import typer

from align import __version__
from align.errors import AlignError

app = typer.Typer(
    name="align",
    help="Build a scored French-English parallel dataset from news articles.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"align {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Build a scored French-English parallel dataset from news articles."""


# --- ingest / segment (issue 2) -------------------------------------------

from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from align.corpus import Corpus
    from align.segment import SegmentedDocument


def _lang_option(value: str | None) -> str | None:
    from align.corpus import check_lang

    try:
        return check_lang(value) if value is not None else None
    except AlignError as exc:
        raise typer.BadParameter(str(exc)) from None


_PATHS_ARG = typer.Argument(
    ..., metavar="PATH", help="Article files (.txt, .jsonl, .html/.htm) or folders of them.", show_default=False
)
_LANG_OPT = typer.Option(
    None, "--lang", metavar="fr|en", callback=_lang_option, help="Language of every document without its own JSONL 'lang' (skips identification)."
)
_MAX_SIZE_OPT = typer.Option(20.0, "--max-size", metavar="MB", min=0.001, help="Skip files larger than this.")


def _ingest_and_segment(
    paths: list[str], lang: str | None, max_size: float
) -> tuple[Corpus, list[SegmentedDocument]]:
    """Load and segment the corpus, with a progress bar on stderr; prints the warnings."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import track

    from align.corpus import load_corpus
    from align.segment import segment_document

    corpus = load_corpus(paths, lang=lang, max_bytes=int(max_size * 2**20))
    err = Console(stderr=True)
    for warning in corpus.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    segmented = [
        segment_document(doc)
        for doc in track(corpus.documents, description="Segmenting", console=err, transient=True)
    ]
    return corpus, segmented


def _report_skipped(corpus: Corpus) -> None:
    """Summary of skipped inputs on stderr; exit code 1 if anything was skipped or nothing was read."""
    from rich.console import Console
    from rich.markup import escape

    err = Console(stderr=True)
    for item in corpus.skipped:
        err.print(f"[red]skipped:[/] {escape(item.path)}: {escape(item.reason)}", highlight=False, soft_wrap=True)
    if corpus.skipped:
        err.print(f"{len(corpus.documents)} document(s) read, {len(corpus.skipped)} input(s) skipped.")
    if corpus.skipped or not corpus.documents:
        raise typer.Exit(code=1)


@app.command()
def ingest(
    paths: list[str] = _PATHS_ARG,
    lang: str | None = _LANG_OPT,
    max_size: float = _MAX_SIZE_OPT,
) -> None:
    """Read articles and show what was found: language, paragraphs, sentences.

    Files that cannot be used (empty, binary, wrongly encoded, too big, not French or English) are listed at the end, and the exit code is then 1.
    """
    from rich.console import Console
    from rich.table import Table

    corpus, segmented = _ingest_and_segment(paths, lang, max_size)
    table = Table(title=f"{len(corpus.documents)} document(s)")
    for column in ("id", "language", "paragraphs", "sentences", "characters"):
        table.add_column(column, justify="left" if column == "id" else "right")
    for seg in segmented:
        doc = seg.document
        table.add_row(
            doc.id,
            f"{doc.lang} ({doc.lang_confidence:.2f})",
            str(len(doc.paragraphs)),
            str(len(seg.sentences)),
            str(sum(len(p) for p in doc.paragraphs)),
        )
    Console().print(table)
    _report_skipped(corpus)


@app.command()
def segment(
    paths: list[str] = _PATHS_ARG,
    fmt: str = typer.Option("text", "--format", "-f", metavar="text|jsonl", help="One sentence per line, or JSONL records (doc_id, lang, sentence_id, paragraph, text)."),
    output: str | None = typer.Option(None, "--output", "-o", metavar="DIR", help="Write one file per document here instead of stdout."),
    lang: str | None = _LANG_OPT,
    max_size: float = _MAX_SIZE_OPT,
) -> None:
    """Split articles into sentences (paragraph-aware, normalised whitespace).

    On stdout, the text format separates documents with an empty line. Skipped inputs are listed on stderr, and the exit code is then 1.
    """
    from align.segment import FORMATS, format_sentences, write_segmented

    if fmt not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
    corpus, segmented = _ingest_and_segment(paths, lang, max_size)
    if output is not None:
        written = write_segmented(segmented, output, fmt)
        typer.echo(f"wrote {len(written)} file(s) to {output}", err=True)
    else:
        separator = "\n" if fmt == "text" else ""
        typer.echo(separator.join(format_sentences(seg, fmt) for seg in segmented), nl=False)
    _report_skipped(corpus)


# --- translate / models / cache (issue 3) ---------------------------------


def _engine_options(beam_size: int | None, batch_tokens: int | None, device: str | None) -> dict[str, object]:
    """Argos options the user gave (unset ones keep the engine defaults)."""
    given = {"beam_size": beam_size, "max_batch_tokens": batch_tokens, "device": device}
    return {key: value for key, value in given.items() if value is not None}


@app.command("translate")
def translate_command(
    input_path: str = typer.Argument("-", metavar="INPUT", help="One sentence per line ('-' or nothing: stdin)."),
    output: str = typer.Option("-", "--output", "-o", metavar="OUTPUT", help="Where to write one translation per line ('-': stdout)."),
    engine: str = typer.Option("auto", "--engine", "-e", help="auto, argos or apertium."),
    src: str = typer.Option("fr", "--src", help="Source language code."),
    tgt: str = typer.Option("en", "--tgt", help="Target language code."),
    beam_size: int | None = typer.Option(None, "--beam-size", min=1, show_default=False, help="Argos beam size [default: 4]."),
    batch_tokens: int | None = typer.Option(None, "--batch-tokens", min=1, show_default=False, help="Argos batch size in tokens [default: 2048]."),
    device: str | None = typer.Option(None, "--device", metavar="cpu|cuda|auto", show_default=False, help="Argos device [default: cpu]."),
    cache: str | None = typer.Option(None, "--cache", metavar="PATH", help="Translation cache file (default: $ALIGN_CACHE_DIR or the user cache)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Translate everything again, ignoring the cache."),
) -> None:
    """Translate a file with one sentence per line: exactly one translation per line, in order.

    Cached translations are reused. The output makes a --src-mt file for `align sentences`.
    """
    from pathlib import Path

    from rich.console import Console
    from rich.progress import Progress

    from align.translate import get_translator
    from align.translate.lines import read_lines, write_lines

    err = Console(stderr=True)
    lines = read_lines(input_path)
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("translating", total=None)
        translator = get_translator(
            engine, src, tgt,
            cache=Path(cache) if cache else None,
            use_cache=not no_cache,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            log=lambda msg: err.print(msg, highlight=False, markup=False),
            **_engine_options(beam_size, batch_tokens, device),
        )
        with translator:
            translated = translator.translate(lines)
    write_lines(output, translated)
    counters = getattr(translator, "counters", None)
    summary = f"{len(lines)} lines translated with {translator.id}"
    if counters is not None:
        summary += f" ({counters.misses} new, {counters.hits} from the cache)"
    err.print(summary, highlight=False, markup=False, soft_wrap=True)


models_app = typer.Typer(help="Manage Argos Translate models (the same folders as argospm).", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list() -> None:
    """List installed Argos packages: languages, version, size, folder."""
    from rich.console import Console
    from rich.table import Table

    from align.translate import argos_packages

    installed = argos_packages.list_installed()
    table = Table("from", "to", "version", "size", title=f"Argos packages ({argos_packages.packages_dir()})")
    table.add_column("path", overflow="fold")
    for package in installed:
        table.add_row(package.from_code, package.to_code, package.version,
                      f"{package.size_bytes / 2**20:.1f} MB", str(package.path))
    Console().print(table if installed else f"no Argos packages in {argos_packages.packages_dir()}")


@models_app.command("install")
def models_install(
    src: str | None = typer.Argument(None, metavar="SRC", help="Source language, to install from the Argos package index (needs internet).", show_default=False),
    tgt: str | None = typer.Argument(None, metavar="TGT", help="Target language (with SRC).", show_default=False),
    file: str | None = typer.Option(None, "--file", metavar="PKG.argosmodel", help="Install a downloaded package file."),
    url: str | None = typer.Option(None, "--url", metavar="URL", help="Download and install a package from this URL."),
) -> None:
    """Install an Argos package from the index (`install fr en`), a file, or a URL.

    The package is checked (zip, metadata, no path escaping its folder, the model loads) before it replaces anything; a bad package leaves nothing behind.
    """
    from rich.console import Console
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    from align.translate import argos_packages

    sources = [given for given in ((src and tgt), file, url) if given]
    if len(sources) != 1 or (src is None) != (tgt is None):
        raise typer.BadParameter("give exactly one of: SRC TGT, --file PKG.argosmodel, --url URL")
    err = Console(stderr=True)
    with Progress(*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("downloading", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        if file:
            package = argos_packages.install_file(file)
        elif url:
            package = argos_packages.install_url(url, progress=progress)
        else:
            package = argos_packages.install_from_index(str(src), str(tgt), progress=progress)
    err.print(f"installed {package.from_code}→{package.to_code} {package.version} in {package.path}", highlight=False)


@models_app.command("remove")
def models_remove(
    src: str = typer.Argument(..., metavar="SRC", help="Source language code."),
    tgt: str = typer.Argument(..., metavar="TGT", help="Target language code."),
) -> None:
    """Remove the installed SRC→TGT Argos package(s)."""
    from align.translate import argos_packages

    for folder in argos_packages.remove(src, tgt):
        typer.echo(f"removed {folder}", err=True)


cache_app = typer.Typer(help="Inspect or empty the translation cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")
_CACHE_PATH_OPT = typer.Option(None, "--cache", metavar="PATH", help="Cache file (default: $ALIGN_CACHE_DIR or the user cache).")


@cache_app.command("stats")
def cache_stats(cache: str | None = _CACHE_PATH_OPT) -> None:
    """Show the cache file, its size, and how many sentences each engine has cached."""
    from rich.console import Console
    from rich.table import Table

    from align.translate import TranslationCache

    store = TranslationCache(cache)
    rows = store.stats()
    table = Table("engine id", "sentences", title=f"{store.path} ({store.size_bytes() / 2**20:.1f} MB)")
    for row in rows:
        table.add_row(row.engine, str(row.entries))
    table.add_row("total", str(sum(row.entries for row in rows)))
    store.close()
    Console().print(table)


@cache_app.command("clear")
def cache_clear(
    cache: str | None = _CACHE_PATH_OPT,
    engine: str | None = typer.Option(None, "--engine", metavar="ID", help="Only this engine id (as shown by `align cache stats`)."),
) -> None:
    """Delete cached translations (all, or one engine's)."""
    from align.translate import TranslationCache

    store = TranslationCache(cache)
    deleted = store.clear(engine)
    store.close()
    typer.echo(f"deleted {deleted} cached translation(s) from {store.path}", err=True)

# --- sentences / documents / eval-alignment (issue 4) ---------------------


@app.command("sentences")
def sentences_command(
    src: str = typer.Option(..., "--src", help="Source sentences, one per line (UTF-8)."),
    tgt: str = typer.Option(..., "--tgt", help="Target sentences, one per line."),
    src_mt: str = typer.Option(..., "--src-mt", help="Translation of each source line into the target language."),
    tgt_mt: str | None = typer.Option(
        None, "--tgt-mt", help="Optional translation of each target line into the source language (both directions used)."
    ),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the alignment here instead of stdout."),
    # defaults as in AlignConfig (not imported here: it loads numba; a test keeps the two equal)
    max_side: int = typer.Option(
        5, "--max-side", min=1, max=8, help="Most sentences on one side of a bead (a reordered passage excepted)."
    ),
    source_weight: float = typer.Option(
        0.4, "--source-weight", min=0.0,
        help="Weight of the untranslated source compared with the target (names, numbers, cognates), relative to "
             "the translation; 0 when the two languages are written in different scripts.",
    ),
    reordered: bool = typer.Option(
        True, "--reordered/--no-reordered",
        help="Output a passage whose items come in another order on each side (a glossary sorted in each "
             "language) as one bead with a score near 0, as hand alignments mark it; with --no-reordered "
             "the monotone path goes through it.",
    ),
) -> None:
    """Align two sentence files (Bleualign-style); print Vecalign format \\[i, j]:\\[k]:score."""
    from align.sentalign import AlignConfig, align_sentences, format_alignment, read_sentence_file, write_alignment

    texts = {name: read_sentence_file(path) for name, path in (("src", src), ("tgt", tgt), ("src_mt", src_mt))}
    for name, path, ref in (("src_mt", src_mt, "src"), ("tgt_mt", tgt_mt, "tgt")):
        if path is None:
            continue
        texts[name] = read_sentence_file(path)
        if len(texts[name]) != len(texts[ref]):
            raise AlignError(
                f"{path}: {len(texts[name])} lines, but {src if ref == 'src' else tgt} has {len(texts[ref])}; "
                "a translation file needs exactly one line per sentence"
            )
    config = AlignConfig(max_side=max_side, source_weight=source_weight)
    if not reordered:
        config = dataclasses.replace(config, reorder_window=0)
    beads = align_sentences(texts["src"], texts["tgt"], texts["src_mt"], texts.get("tgt_mt"), config)
    if output is None:
        typer.echo(format_alignment(beads), nl=False)
    else:
        write_alignment(beads, output)


@app.command("eval-alignment")
def eval_alignment_command(
    gold: list[str] = typer.Option(
        [], "--gold", help="Gold alignment file(s), Vecalign format, one per document: --gold A B C (or --gold A --gold B)."
    ),
    pred: list[str] = typer.Option([], "--pred", help="Predicted alignment file(s), same order as --gold."),
    src: list[str] = typer.Option([], "--src", help="Optional source sentence file(s), to check ids are in range."),
    tgt: list[str] = typer.Option([], "--tgt", help="Optional target sentence file(s), to check ids are in range."),
    doc_gold: str | None = typer.Option(None, "--doc-gold", help="Gold document pairs: fr_id<TAB>en_id lines."),
    doc_pred: str | None = typer.Option(None, "--doc-pred", help="Predicted document pairs (a score column is ignored)."),
) -> None:
    """Score alignments against gold: strict/lax P/R/F1 (micro-averaged), and document-pair P/R/F1."""
    from align.goldeval import read_alignments, read_document_pairs, score_alignments, score_document_pairs

    if not gold and doc_gold is None:
        raise typer.BadParameter("give --gold/--pred files, or --doc-gold/--doc-pred")
    if len(gold) != len(pred):
        raise typer.BadParameter(f"{len(gold)} --gold files but {len(pred)} --pred files; give one --pred per --gold")
    for name, files in (("--src", src), ("--tgt", tgt)):
        if files and len(files) != len(gold):
            raise typer.BadParameter(f"give one {name} per --gold file ({len(gold)}), or none")
    if gold:
        golds, preds = read_alignments(gold, pred, src, tgt)
        s = score_alignments(golds, preds)
        typer.echo(f"{'':8}{'P':>8}{'R':>8}{'F1':>8}")
        for label, prf in (("strict", s.strict), ("lax", s.lax)):
            typer.echo(f"{label:8}{prf.precision:8.4f}{prf.recall:8.4f}{prf.f1:8.4f}")
        typer.echo(f"({len(golds)} documents, {s.n_pred} output pairs, {s.n_gold} gold pairs with both sides)")
    if doc_gold is not None or doc_pred is not None:
        if doc_gold is None or doc_pred is None:
            raise typer.BadParameter("--doc-gold and --doc-pred go together")
        p, r, f = score_document_pairs(read_document_pairs(doc_gold), read_document_pairs(doc_pred))
        typer.echo(f"documents  P {p:.4f}  R {r:.4f}  F1 {f:.4f}")


@app.command("documents")
def documents_command(
    fr_dir: str = typer.Argument(..., metavar="FR_DIR", help="Folder (or file) of French articles."),
    en_dir: str = typer.Argument(..., metavar="EN_DIR", help="Folder (or file) of English articles."),
    engine: str = typer.Option(
        "auto", "--engine", "-e", help="Engine translating the French side: auto, argos, apertium."
    ),
    output: str | None = typer.Option(
        None, "--output", "-o", help="Write fr_id<TAB>en_id<TAB>score lines to this file instead of printing a table."
    ),
    min_score: float | None = typer.Option(
        None,
        "--min-score",
        min=0.0,
        max=1.0,
        help="Keep pairs whose score (max of coverage and margin) reaches this (default: the tuned value).",
    ),
) -> None:
    """Find which French article matches which English article(s): 1-n and unmatched allowed."""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from align.docalign import DocAlignConfig, write_pairs
    from align.pipeline import pair_documents

    err = Console(stderr=True)
    with Progress(console=err, transient=True) as bar:
        mt_task = bar.add_task("translating French sentences", total=None)
        pair_task = bar.add_task("aligning candidate pairs", total=None)
        result = pair_documents(
            [fr_dir],
            [en_dir],
            engine,
            DocAlignConfig() if min_score is None else DocAlignConfig(min_score=min_score),
            translate_progress=lambda done, total: bar.update(mt_task, completed=done, total=total),
            align_progress=lambda done, total: bar.update(pair_task, completed=done, total=total),
            log=lambda msg: err.print(msg, highlight=False, markup=False, soft_wrap=True),
        )
    pairs = result.pairs
    if output is not None:
        write_pairs(pairs, output)
        err.print(f"{len(pairs)} document pairs written to {output}", highlight=False)
        return
    table = Table(title="Document pairs")
    for column in ("French", "English", "score", "similarity", "margin", "coverage"):
        table.add_column(column, overflow="fold", justify="left" if column in ("French", "English") else "right")
    for p in pairs:
        table.add_row(p.fr_id, p.en_id, *(f"{v:.4f}" for v in (p.score, p.similarity, p.margin, p.coverage)))
    Console().print(table)
    matched_fr, matched_en = {p.fr_id for p in pairs}, {p.en_id for p in pairs}
    err.print(
        f"{len(pairs)} pairs; unmatched: {result.french - len(matched_fr)} French, "
        f"{result.english - len(matched_en)} English",
        highlight=False,
    )


# --- run / export (issue 5) -----------------------------------------------

if TYPE_CHECKING:
    from rich.table import Table

    from align.pipeline import RunSummary


def _formats_option(value: str) -> str:
    from align.export import parse_formats

    try:
        return ",".join(parse_formats(value))
    except AlignError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command("run")
def run_command(
    corpus: list[str] = typer.Argument(..., metavar="CORPUS...", help="Article files or folders (French and English)."),
    out: str = typer.Option(..., "--output", "-o", metavar="OUT", help="Dataset folder to write."),
    engine: str = typer.Option(
        "auto", "--engine", "-e", help="Translation engine: auto, argos, apertium, or provided (with --translations)."
    ),
    translations: str | None = typer.Option(
        None, "--translations", metavar="FILE", show_default=False,
        help="Your own French-to-English translations instead of an engine: one line per French sentence "
             "(documents in id order) or JSONL {\"doc\", \"id\", \"mt\"}. Implies --engine provided.",
    ),
    min_score: float | None = typer.Option(
        None, "--min-score", min=0.0, max=1.0, show_default=False,
        help="Keep pairs whose combined score reaches this (default 0.5; see the README).",
    ),
    doc_min_score: float | None = typer.Option(
        None, "--doc-min-score", min=0.0, max=1.0, show_default=False,
        help="Keep document pairs whose score reaches this (default: the tuned value).",
    ),
    max_bead: int | None = typer.Option(
        None, "--max-bead", min=1, max=8, show_default=False,
        help="At most this many sentences on each side of a pair (default: the aligner's tuned value).",
    ),
    formats: str = typer.Option("hf,parquet,jsonl", "--format", "-f", callback=_formats_option,
                                help="Comma-separated output formats: hf, parquet, jsonl, tsv, moses, tmx."),
    license: str = typer.Option("other", "--license", help="License identifier for the dataset card (Hub style, e.g. cc-by-4.0)."),
    two_way: bool = typer.Option(
        False, "--two-way",
        help="Also translate the English articles into French (when the engine has that direction) and align "
             "with both translations: twice the translation time, no better on the dev sets (see the README).",
    ),
    cache: str | None = typer.Option(None, "--cache", metavar="PATH", help="Translation cache file (default: $ALIGN_CACHE_DIR or the user cache)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Translate everything again, ignoring the cache."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace OUT if it already holds a dataset."),
) -> None:
    """Build a scored French-English dataset from news articles: the whole pipeline.

    Ingest, segment, translate, pair documents, align sentences, score, filter and
    export. Re-running with the same inputs reuses cached translations and writes
    the same bytes. OUT is built next to itself and renamed into place at the end.
    """
    import signal
    from pathlib import Path

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from align.pipeline import RunConfig, run

    # A plain `kill` should unwind like Ctrl-C, so temporary folders and engines are cleaned up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    err = Console(stderr=True)
    if translations is not None and engine == "auto":
        engine = "provided"
    config = RunConfig(
        engine=engine,
        translations=Path(translations) if translations is not None else None,
        two_way=two_way,
        cache=Path(cache) if cache else None,
        use_cache=not no_cache,
        formats=tuple(formats.split(",")),
        license=license,
        overwrite=overwrite,
    )
    if max_bead is not None:
        config = dataclasses.replace(config, max_bead=max_bead)
    if doc_min_score is not None:
        config = dataclasses.replace(config, doc_min_score=doc_min_score)
    if min_score is not None:
        config = dataclasses.replace(config, scoring=dataclasses.replace(config.scoring, min_score=min_score))
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err) as progress:
            summary = run(corpus, Path(out), config, progress=progress,
                          log=lambda msg: err.print(msg, highlight=False, markup=False))
    except KeyboardInterrupt:
        err.print(f"interrupted: {out} was not changed; run again to resume (translations are cached)",
                  highlight=False, markup=False)
        raise typer.Exit(130) from None
    Console().print(_summary_table(summary))


def _summary_table(summary: RunSummary) -> Table:
    """The end-of-run table: documents, pairs, filtering, time per stage."""
    from rich.table import Table

    table = Table(title=f"Dataset written to {summary.out_dir}", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for lang, n in sorted(summary.documents.items()):
        table.add_row(f"{lang} documents", str(n))
    if summary.skipped:
        table.add_row("inputs skipped", str(len(summary.skipped)))
    for direction, t in summary.translations.items():
        done = f"{t.new} read from file" if t.engine == "provided" else f"{t.new} new, {t.cached} cached"
        table.add_row(f"translated {direction} ({t.engine})", done)
    table.add_row("document pairs", str(len(summary.doc_pairs)))
    for pair in summary.doc_pairs:
        table.add_row(f"  {pair.fr_id} ↔ {pair.en_id}", f"{pair.score:.3f}")
    table.add_row("sentence pairs aligned", str(summary.sentence_pairs))
    for lang, n in sorted(summary.unaligned.items(), reverse=True):  # fr, then en
        table.add_row(f"  unaligned {lang} sentences (paired documents)", str(n))
    for reason, n in summary.dropped.items():
        table.add_row(f"  dropped: {reason}", str(n))
    table.add_row("pairs kept", str(summary.kept))
    table.add_row("mean score of kept pairs", f"{summary.mean_score:.3f}" if summary.mean_score is not None else "-")
    for stage, seconds in summary.seconds.items():
        table.add_row(f"seconds: {stage}", f"{seconds:.2f}")
    return table


@app.command("export")
def export_command(
    out: str = typer.Argument(..., metavar="OUT", help="A dataset folder written by `align run`."),
    formats: str = typer.Option(..., "--format", "-f", callback=_formats_option,
                                help="Comma-separated formats to add: hf, parquet, jsonl, tsv, moses, tmx."),
) -> None:
    """Add output formats to an existing dataset folder (the card and manifest are updated)."""
    from align.export import export_dataset

    present = export_dataset(out, formats.split(","))
    typer.echo(f"{out}: {', '.join(present)}")


# --- evaluate (issue 6) ---------------------------------------------------


@app.command("evaluate")
def evaluate_command(
    dataset: str = typer.Argument(..., metavar="DATASET", help="Dataset folder written by `align run`."),
    system: list[str] = typer.Option(
        ...,
        "--system",
        "-s",
        metavar="NAME",
        help="A system: an engine (argos, apertium; options as argos:beam=4) or a hypothesis file "
        "(one line per dataset row, or .jsonl with {\"id\", \"hyp\"}). Repeat; the first is the baseline.",
    ),
    min_score: float | None = typer.Option(
        None, "--min-score", min=0.0, max=1.0, help="Evaluate only pairs whose alignment score reaches this."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON instead of tables."),
    report: str | None = typer.Option(
        None, "--report", metavar="DIR", help="Also write an HTML report (plots, per-document pages) to DIR."
    ),
    # defaults as in align.evaluate (not imported here: it is slow to load; a test keeps them equal)
    bootstrap: int = typer.Option(
        1000, "--bootstrap", min=0, help="Bootstrap resamples for intervals and the paired bootstrap test (0: none)."
    ),
    trials: int = typer.Option(
        10000, "--trials", min=0, help="Approximate-randomisation trials for the paired test (0: skip it)."
    ),
    cache: str | None = typer.Option(None, "--cache", metavar="FILE", help="Translation cache file (default: the user cache)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Translate again instead of using the cache."),
) -> None:
    """Score French→English MT systems against the English side of a dataset (sacrebleu BLEU, chrF, TER)."""
    from pathlib import Path

    from align.report import run

    run(
        dataset,
        system,
        min_score=min_score,
        n_bootstrap=bootstrap,
        n_trials=trials,
        as_json=as_json,
        report_dir=report,
        cache=Path(cache) if cache else None,
        use_cache=not no_cache,
    )


#: Options that take several files after one flag (`--gold A B C`), as the docs write them;
#: click options take one value each, so `main` repeats the flag before each further value.
_MULTI_VALUE = {"eval-alignment": ("--gold", "--pred", "--src", "--tgt")}


def expand_multi_value(argv: list[str]) -> list[str]:
    """`eval-alignment --gold A B --pred C D` -> `eval-alignment --gold A --gold B --pred C --pred D`."""
    options = _MULTI_VALUE.get(argv[0], ()) if argv else ()
    out: list[str] = []
    current: str | None = None
    for arg in argv:
        if arg.startswith("-"):
            current = arg if arg in options else None
        elif current is not None and out[-1] != current:
            out.append(current)
        out.append(arg)
    return out


def main() -> None:
    """Console-script entry point: user errors become one line on stderr, exit code 1."""
    try:
        app(args=expand_multi_value(sys.argv[1:]))
    except AlignError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(1)
