"""`align run`: every stage from articles to a dataset folder.

ingest -> segment -> translate (fr->en, and en->fr when the engine has it) ->
document alignment -> sentence alignment -> scoring -> export. Each stage is the
public function of its module; this one only passes data between them, times
them and reports progress. Re-runs are cheap (translations come from the cache)
and give the same bytes (nothing here depends on time or on dict/set order).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from align.corpus import Corpus, Skipped, load_corpus
from align.docalign import DocAlignConfig, DocPair, align_documents
from align.errors import AlignError
from align.export import (
    DEFAULT_FORMATS,
    DocumentText,
    check_destination,
    library_versions,
    parse_formats,
    save_dataset,
)
from align.scoring import (
    Candidate,
    ScoringConfig,
    Selection,
    default_filters,
    detach_headings,
    find_boilerplate,
    score_candidate,
    select_records,
)
from align.segment import SegmentedDocument, segment_document
from align.sentalign import AlignConfig, Bead, align_sentences
from align.translate import CachedTranslator, Translator, get_translator
from align.translate.provided import ProvidedTranslator

if TYPE_CHECKING:
    from rich.progress import Progress

STAGES = ("ingest", "segment", "translate", "documents", "sentences", "scoring", "export")


@dataclass(frozen=True)
class RunConfig:
    """Options of `align run` (the defaults are what `align run corpus/ -o out/` uses)."""

    engine: str = "auto"  # or "provided", with `translations`
    translations: Path | None = None  # French->English translations to use instead of an engine (--engine provided)
    # also translate English->French when the engine can, and align with both translations: twice the
    # translation work, and on the dev sets no better than French->English alone (README, "Sentence alignment")
    two_way: bool = False
    cache: Path | None = None  # translation cache file (None: $ALIGN_CACHE_DIR or the user cache dir)
    use_cache: bool = True
    formats: tuple[str, ...] = DEFAULT_FORMATS
    license: str = "other"
    overwrite: bool = False
    max_bead: int = AlignConfig().max_side
    doc_min_score: float = DocAlignConfig().min_score
    scoring: ScoringConfig = field(default_factory=ScoringConfig)


@dataclass(frozen=True)
class Translated:
    """What one translation direction cost: engine, and sentences translated now vs. found in the cache."""

    engine: str
    translator_id: str
    new: int
    cached: int


@dataclass(frozen=True)
class RunSummary:
    out_dir: Path
    documents: dict[str, int]  # language -> documents read
    skipped: list[Skipped]
    doc_pairs: list[DocPair]
    sentence_pairs: int  # beads with a French and an English side
    unaligned: dict[str, int]  # language -> sentences of paired documents in no sentence pair
    kept: int
    dropped: dict[str, int]  # reason -> pairs
    mean_score: float | None  # of the kept pairs
    translations: dict[str, Translated]  # "fr-en" / "en-fr" -> counts
    seconds: dict[str, float]  # stage -> wall-clock seconds


class _Stages:
    """Times stages and shows one progress bar each (when a rich Progress is given)."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Callable[[int, int], None]]:
        task = self.progress.add_task(name, total=total) if self.progress is not None else None

        def update(done: int, of: int) -> None:
            if self.progress is not None and task is not None:
                self.progress.update(task, completed=done, total=of)

        start = time.perf_counter()
        yield update
        self.seconds[name] = round(time.perf_counter() - start, 3)
        if self.progress is not None and task is not None:
            final = self.progress.tasks[task].total or 1
            self.progress.update(task, completed=final, total=final)


def _engine_name(translator: Translator) -> str:
    """"apertium" / "argos" / ... from a translator id such as "apertium:fr-en:3.8.3"."""
    return translator.id.split(":", 1)[0]


#: The `--engine` value that reads the French->English translations from `RunConfig.translations`.
PROVIDED = "provided"


def _open_translator(
    stack: ExitStack,
    engine: str,
    src: str,
    tgt: str,
    config: RunConfig,
    progress: Callable[[int, int], None],
    log: Callable[[str], None],
) -> Translator:
    translator = get_translator(
        engine, src, tgt, cache=config.cache, use_cache=config.use_cache, progress=progress, log=log
    )
    return stack.enter_context(translator)


def _texts(docs: Sequence[SegmentedDocument]) -> dict[str, list[str]]:
    return {d.document.id: d.texts for d in docs}


def _counts(translator: Translator, sentences: int) -> Translated:
    if isinstance(translator, CachedTranslator):
        new, cached = translator.counters.misses, translator.counters.hits
    else:
        new, cached = sentences, 0
    return Translated(_engine_name(translator), translator.id, new, cached)


def _candidates(
    pair: DocPair,
    beads: Sequence[Bead],
    fr: Sequence[str],
    fr_mt: Sequence[str],
    en: Sequence[str],
) -> list[Candidate]:
    return [
        Candidate(
            fr_doc=pair.fr_id,
            en_doc=pair.en_id,
            fr_sent_ids=bead.src,
            en_sent_ids=bead.tgt,
            fr_sents=tuple(fr[i] for i in bead.src),
            en_sents=tuple(en[j] for j in bead.tgt),
            mt_sents=tuple(fr_mt[i] for i in bead.src),
            bead_score=bead.score,
            doc_score=pair.score,
        )
        for bead in beads
        if bead.src and bead.tgt
    ]


def _translate(
    segmented: Mapping[str, Sequence[SegmentedDocument]],
    config: RunConfig,
    progress: Callable[[int, int], None],
    log: Callable[[str], None],
) -> tuple[dict[str, list[str]], dict[str, list[str]] | None, dict[str, Translated]]:
    """French->English MT of every French sentence, and English->French of the English ones when the
    engine has that direction. Returns (fr_mt, en_mt or None, engine and counts per direction)."""
    counts: dict[str, Translated] = {}
    with ExitStack() as stack:
        if config.engine == PROVIDED:
            assert config.translations is not None  # checked by _check_translations
            # The user's translations of the French sentences; the file must match our segmentation exactly.
            forward: Translator = ProvidedTranslator.from_file(config.translations, _texts(segmented["fr"]))
        else:
            forward = _open_translator(stack, config.engine, "fr", "en", config, progress, log)
        fr_mt = forward.translate_documents(_texts(segmented["fr"]))
        counts["fr-en"] = _counts(forward, sum(map(len, fr_mt.values())))
        if not config.two_way:
            return fr_mt, None, counts
        if config.engine == PROVIDED:
            log("one-way alignment: provided translations are French→English only")
            return fr_mt, None, counts
        name = counts["fr-en"].engine
        try:  # the same engine the other way; "auto" already chose, so no second search
            backward = _open_translator(stack, name, "en", "fr", config, progress, log)
        except AlignError as exc:
            log(f"one-way alignment: no English→French {name} engine ({exc})")
            return fr_mt, None, counts
        en_mt = backward.translate_documents(_texts(segmented["en"]))
        counts["en-fr"] = _counts(backward, sum(map(len, en_mt.values())))
    return fr_mt, en_mt, counts


def _check_translations(config: RunConfig) -> None:
    """Fail before any work when --engine provided and --translations do not go together."""
    if config.translations is not None and config.engine != PROVIDED:
        raise AlignError(f"--translations is for --engine {PROVIDED}, not --engine {config.engine}")
    if config.engine != PROVIDED:
        return
    if config.translations is None:
        raise AlignError(f"--engine {PROVIDED} needs --translations FILE (one line per French sentence, or JSONL)")
    if not Path(config.translations).is_file():
        raise AlignError(f"{config.translations}: no such translations file; check the path")


def _score(
    candidates: Sequence[Candidate],
    fr: Mapping[str, Sequence[str]],
    en: Mapping[str, Sequence[str]],
    config: ScoringConfig,
    progress: Callable[[int, int], None],
) -> Selection:
    """Score every candidate (boilerplate learnt from all documents of each language) and select."""
    boilerplate = frozenset().union(
        *(find_boilerplate(docs, min_docs=config.boilerplate_min_docs, max_words=config.boilerplate_max_words)
          for docs in (fr, en))
    )
    filters = default_filters(config, boilerplate=boilerplate)
    records = []
    for done, candidate in enumerate(candidates, 1):
        records.append(score_candidate(candidate, filters, config))
        progress(done, len(candidates))
    return select_records(records, config.min_score)


@dataclass(frozen=True)
class DocumentPairing:
    """Result of `pair_documents`: the pairs, and how many documents each side had."""

    pairs: list[DocPair]
    french: int
    english: int


def _notes(corpus: Corpus) -> list[str]:
    """One log line per skipped file and per warning of the ingest."""
    return [*(f"skipped: {s.path}: {s.reason}" for s in corpus.skipped),
            *(f"warning: {w}" for w in corpus.warnings)]


def _load_side(
    inputs: Sequence[str | Path], lang: str, name: str, log: Callable[[str], None], *, mixed: bool
) -> list[SegmentedDocument]:
    """The documents of one language in `inputs`, segmented. Languages are identified, not
    assumed, so one mixed folder can be given for both sides."""
    corpus = load_corpus(inputs)
    docs = [doc for doc in corpus.documents if doc.lang == lang]
    shown = ", ".join(map(str, inputs))
    if not docs:
        first = f"{corpus.skipped[0].path}: {corpus.skipped[0].reason}" if corpus.skipped else "no article in it"
        raise AlignError(f"{shown}: no {name} documents found ({first})")
    for note in _notes(corpus):
        log(note)
    if len(docs) < len(corpus.documents) and not mixed:
        log(f"{shown}: {len(corpus.documents) - len(docs)} document(s) not in {name} left out of this side")
    return [segment_document(doc) for doc in docs]


def pair_documents(
    fr_inputs: Sequence[str | Path],
    en_inputs: Sequence[str | Path],
    engine: str = "auto",
    config: DocAlignConfig | None = None,
    *,
    cache: Path | None = None,
    use_cache: bool = True,
    translate_progress: Callable[[int, int], None] | None = None,
    align_progress: Callable[[int, int], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> DocumentPairing:
    """`align documents`: ingest and segment both sides, translate the French sentences
    (through the cache) and pair the articles."""
    log = log or (lambda _msg: None)
    mixed = list(map(str, fr_inputs)) == list(map(str, en_inputs))  # one folder for both sides
    french = _load_side(fr_inputs, "fr", "French", log, mixed=mixed)
    english = _load_side(en_inputs, "en", "English", log, mixed=mixed)
    with get_translator(engine, "fr", "en", cache=cache, use_cache=use_cache, progress=translate_progress,
                        log=log) as translator:
        fr_mt = translator.translate_documents(_texts(french))
    pairs = align_documents(_texts(french), fr_mt, _texts(english), config, progress=align_progress)
    return DocumentPairing(pairs, len(french), len(english))


def command_line(inputs: Sequence[str | Path], config: RunConfig, engine: str) -> str:
    """The `align run` command that reproduces a run (recorded in the manifest and card).

    `engine` is the engine actually used ("auto" may choose differently elsewhere). The
    output folder is left as OUT: where a dataset is written does not change its bytes.
    """
    s = config.scoring
    parts = ["align run", *map(portable_path, inputs), "-o", "OUT", "--engine", engine,
             "--min-score", str(s.min_score), "--doc-min-score", str(config.doc_min_score),
             "--max-bead", str(config.max_bead), "--format", ",".join(config.formats), "--license", config.license]
    if config.translations is not None:
        parts += ["--translations", portable_path(config.translations)]
    if config.two_way:
        parts.append("--two-way")
    return " ".join(parts)


def portable_path(path: str | Path) -> str:
    """``path`` as the manifest records it: relative to the current folder when it lies under it,
    else just its name. Absolute paths would make datasets differ between checkouts."""
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return p.name


def run(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    config: RunConfig | None = None,
    *,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
) -> RunSummary:
    """Build the dataset folder `out_dir` from the articles in `inputs` (files or folders)."""
    config = config or RunConfig()
    out_dir = Path(out_dir)
    log = log or (lambda _msg: None)
    formats = parse_formats(config.formats)
    _check_translations(config)
    check_destination(out_dir, overwrite=config.overwrite)  # before any work
    stages = _Stages(progress)
    sent_config = AlignConfig(max_side=config.max_bead)
    doc_config = DocAlignConfig(min_score=config.doc_min_score, sentence_config=sent_config)

    with stages.stage("ingest"):
        corpus = load_corpus(inputs)
    for note in _notes(corpus):
        log(note)
    by_lang = {lang: [d for d in corpus.documents if d.lang == lang] for lang in ("fr", "en")}
    for lang, name in (("fr", "French"), ("en", "English")):
        if not by_lang[lang]:
            shown = ", ".join(map(str, inputs))
            raise AlignError(f"{shown}: no {name} article found; a run needs French and English articles")

    with stages.stage("segment", total=len(corpus.documents)) as update:
        segmented: dict[str, list[SegmentedDocument]] = {"fr": [], "en": []}
        for done, doc in enumerate(corpus.documents, 1):
            segmented[doc.lang].append(segment_document(doc))
            update(done, len(corpus.documents))
    fr, en = _texts(segmented["fr"]), _texts(segmented["en"])

    with stages.stage("translate") as update:
        fr_mt, en_mt, translations = _translate(segmented, config, update, log)
    engines = {direction: {"name": t.engine, "id": t.translator_id} for direction, t in translations.items()}

    with stages.stage("documents") as update:
        doc_pairs = align_documents(fr, fr_mt, en, doc_config, progress=update)
    if not doc_pairs:
        log(f"no French article matches an English one (document scores under {config.doc_min_score:.2f}); "
            "the dataset will be empty. Are the articles about the same stories? Try a lower --doc-min-score.")

    candidates: list[Candidate] = []
    with stages.stage("sentences", total=len(doc_pairs)) as update:
        for done, pair in enumerate(doc_pairs, 1):
            beads = align_sentences(
                fr[pair.fr_id], en[pair.en_id], fr_mt[pair.fr_id],
                en_mt[pair.en_id] if en_mt is not None else None, sent_config,
            )
            candidates += [
                detach_headings(c, config.scoring.heading_max_words)
                for c in _candidates(pair, beads, fr[pair.fr_id], fr_mt[pair.fr_id], en[pair.en_id])
            ]
            update(done, len(doc_pairs))

    with stages.stage("scoring", total=len(candidates)) as update:
        selection = _score(candidates, fr, en, config.scoring, update)

    manifest = _manifest(inputs, config, corpus_docs=segmented, skipped=corpus.skipped,
                         engine=engines["fr-en"], reverse_engine=engines.get("en-fr"), doc_pairs=doc_pairs,
                         doc_config=doc_config, sent_config=sent_config, sentence_pairs=len(candidates),
                         dropped=selection.dropped, kept=len(selection.kept))
    with stages.stage("export"):
        save_dataset(selection.kept, out_dir, formats, manifest, documents=_paired_documents(segmented, doc_pairs),
                     overwrite=config.overwrite)

    scores = [r.score for r in selection.kept]
    return RunSummary(
        out_dir=out_dir,
        documents={lang: len(docs) for lang, docs in by_lang.items()},
        skipped=list(corpus.skipped),
        doc_pairs=doc_pairs,
        sentence_pairs=len(candidates),
        unaligned=_unaligned(candidates, doc_pairs, fr, en),
        kept=len(selection.kept),
        dropped=selection.dropped,
        mean_score=round(sum(scores) / len(scores), 4) if scores else None,
        translations=translations,
        seconds=stages.seconds,
    )


def _unaligned(
    candidates: Sequence[Candidate],
    doc_pairs: Sequence[DocPair],
    fr: Mapping[str, Sequence[str]],
    en: Mapping[str, Sequence[str]],
) -> dict[str, int]:
    """Sentences of paired documents that are in no candidate pair (with any of their counterparts)."""
    aligned_fr = {(c.fr_doc, i) for c in candidates for i in c.fr_sent_ids}
    aligned_en = {(c.en_doc, j) for c in candidates for j in c.en_sent_ids}
    fr_docs = {p.fr_id for p in doc_pairs}
    en_docs = {p.en_id for p in doc_pairs}
    return {
        "fr": sum(len(fr[d]) for d in fr_docs) - len(aligned_fr),
        "en": sum(len(en[d]) for d in en_docs) - len(aligned_en),
    }


def _paired_documents(
    segmented: Mapping[str, Sequence[SegmentedDocument]], doc_pairs: Sequence[DocPair]
) -> list[DocumentText]:
    """The full text of every document in a pair (for review pages: the dataset holds only pairs)."""
    paired = {("fr", p.fr_id) for p in doc_pairs} | {("en", p.en_id) for p in doc_pairs}
    return [
        DocumentText(d.document.id, lang, d.document.title, tuple(d.texts))
        for lang, docs in segmented.items()
        for d in docs
        if (lang, d.document.id) in paired
    ]


def _manifest(
    inputs: Sequence[str | Path],
    config: RunConfig,
    *,
    corpus_docs: Mapping[str, Sequence[SegmentedDocument]],
    skipped: Sequence[Skipped],
    engine: dict[str, str],
    reverse_engine: dict[str, str] | None,
    doc_pairs: Sequence[DocPair],
    doc_config: DocAlignConfig,
    sent_config: AlignConfig,
    sentence_pairs: int,
    dropped: Mapping[str, int],
    kept: int,
) -> dict[str, object]:
    """Facts of the run, for manifest.json and the card. No times or absolute paths (see `portable_path`):
    re-runs give the same bytes, wherever the checkout is."""
    documents = sorted((d for docs in corpus_docs.values() for d in docs), key=lambda d: d.document.id)
    return {
        "command": command_line(inputs, config, engine["name"]),
        "license": config.license,
        "libraries": library_versions(),
        "engine": engine,
        "reverse_engine": reverse_engine,
        "corpus": {
            "inputs": [portable_path(p) for p in inputs],
            "documents": [
                {"id": d.document.id, "lang": d.document.lang, "lang_confidence": d.document.lang_confidence,
                 "sentences": len(d.sentences), "source": portable_path(d.document.source),
                 "sha256": d.document.sha256}
                for d in documents
            ],
            "skipped": [{"path": portable_path(s.path), "reason": s.reason} for s in skipped],
        },
        "settings": {
            "document_alignment": {k: v for k, v in vars(doc_config).items() if k != "sentence_config"},
            "sentence_alignment": dict(vars(sent_config)),
            "scoring": config.scoring.as_dict(),
        },
        "document_pairs": [
            {"fr_id": p.fr_id, "en_id": p.en_id, "score": round(p.score, 4), "similarity": round(p.similarity, 4),
             "margin": round(p.margin, 4), "coverage": round(p.coverage, 4)}
            for p in doc_pairs
        ],
        "counts": {
            "documents": {lang: len(docs) for lang, docs in sorted(corpus_docs.items())},
            "document_pairs": len(doc_pairs),
            "sentence_pairs": sentence_pairs,
            "kept": kept,
            "dropped": dict(dropped),
        },
    }
