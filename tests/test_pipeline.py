"""`align run` end to end on the demo corpus, with Apertium (real engine, isolated cache)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import datasets
import pytest

from align.errors import AlignError
from align.export import load_manifest, load_records, read_documents
from align.pipeline import RunConfig, RunSummary, run
from align.translate import apertium

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
REPO = CORPUS.parent
# The `align` command of the code under test (the console script may belong to another checkout).
ALIGN = [sys.executable, "-c", "from align.cli import main; main()"]
FR_002, FR_003, FR_004 = "002_8a8f612192489650", "003_c8f4650f96df5b00", "004_58232c4dcf10481f"
EN_000, EN_001 = "000_102a33f85755df4d", "001_98e871194931fdb2"
BOILERPLATE = ("Quitter la version mobile", "Les nouvelles les plus importantes de la journée", "source site-59",
               "PHOTO NIKOLAY", "Partager cette publication", "Plus comme ça")

needs_apertium = pytest.mark.skipif(
    not (apertium.is_available("fr", "en") and apertium.is_available("en", "fr")),
    reason="Apertium fr-es and eng-spa are not installed (apt-get install apertium-fr-es apertium-eng-spa)",
)
pytestmark = [pytest.mark.apertium, needs_apertium]


def _tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _differing(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache") / "translations.sqlite3"


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory, cache: Path) -> tuple[Path, RunSummary, dict[str, bytes]]:
    out = tmp_path_factory.mktemp("run") / "out"
    summary = run([CORPUS], out, RunConfig(engine="apertium", cache=cache, formats=("hf", "parquet", "jsonl", "tmx")))
    return out, summary, _tree_bytes(out)


def test_documents_are_paired_as_the_articles_are(first_run) -> None:
    out, summary, _ = first_run
    assert summary.documents == {"fr": 3, "en": 2}
    pairs = {(p.fr_id, p.en_id) for p in summary.doc_pairs}
    assert pairs == {(FR_002, EN_000), (FR_002, EN_001)}
    manifest = load_manifest(out)
    assert manifest["engine"]["name"] == "apertium"
    assert manifest["engine"]["id"].startswith("apertium:fr-en:")
    assert manifest["reverse_engine"] is None  # one-way by default
    assert {(p["fr_id"], p["en_id"]) for p in manifest["document_pairs"]} == pairs


def test_dataset_holds_the_paired_documents_and_no_absolute_path(first_run) -> None:
    out, summary, _ = first_run
    documents = read_documents(out)
    assert documents is not None
    # Paired documents only (003 and 004 have no counterpart), French first, each in full.
    assert [(d.lang, d.id) for d in documents] == [("fr", FR_002), ("en", EN_000), ("en", EN_001)]
    manifest = load_manifest(out)
    counts = {(d["lang"], d["id"]): d["sentences"] for d in manifest["corpus"]["documents"]}
    assert all(len(d.sentences) == counts[(d.lang, d.id)] for d in documents)
    assert any(not any(r.fr_sent_ids and i in r.fr_sent_ids for r in load_records(out))
               for i in range(len(documents[0].sentences)))  # unaligned French sentences are there too
    assert "documents.jsonl" in manifest["files"]
    # Unaligned: sentences of paired documents in no aligned pair; kept pairs are a subset of the aligned ones.
    records = load_records(out)
    for lang, docs in (("fr", {FR_002}), ("en", {EN_000, EN_001})):
        total = sum(len(d.sentences) for d in documents if d.lang == lang)
        in_kept = {(r.fr_doc, i) for r in records for i in r.fr_sent_ids} if lang == "fr" else {
            (r.en_doc, j) for r in records for j in r.en_sent_ids}
        assert {doc for doc, _ in in_kept} == docs
        assert 0 < summary.unaligned[lang] <= total - len(in_kept)
    text = (out / "manifest.json").read_text(encoding="utf-8")
    assert str(REPO) not in text and str(out) not in text
    first = manifest["corpus"]["documents"][0]
    assert first["source"] in (f"corpus/{first['id']}.txt", f"{first['id']}.txt")  # relative to the current folder


def test_kept_pairs_are_real_translations_without_boilerplate(first_run) -> None:
    out, summary, _ = first_run
    records = load_records(out)
    assert len(records) == summary.kept > 10
    assert all(r.fr_doc == FR_002 and r.en_doc in (EN_000, EN_001) for r in records)
    for text in BOILERPLATE:
        assert not any(text.lower() in (r.fr + " " + r.en).lower() for r in records), text
    expected = [
        ("Guerre en Ukraine. Joe Biden autorise Kiev", (EN_001,), "War in Ukraine | Biden authorizes Ukraine"),
        ("Ce responsable, qui a requis l’anonymat", (EN_001,), "The official, who requested anonymity"),
        ("Ce responsable, qui a requis l’anonymat", (EN_000,), "This official, who requested anonymity"),
        ("Les ATACMS sont des missiles à longue portée", (EN_001,), "ATACMS are long-range missiles"),
        ("Kharkiv, dans l’est de l’Ukraine", (EN_000, EN_001), "in eastern Ukraine, is the almost daily target"),
        ("« Notre position sur l’interdiction", (EN_000, EN_001), "“Our position on prohibiting the use of ATACMS"),
    ]
    for fr, en_docs, en in expected:
        assert any(r.fr.startswith(fr) and r.en_doc in en_docs and en in r.en for r in records), (fr, en_docs)
    # 000 and 001 carry the same English quote: the pair is kept once.
    assert sum(r.fr.startswith("« Notre position") for r in records) == 1
    assert summary.dropped.get("duplicate", 0) >= 1
    assert all(r.score >= 0.5 for r in records)
    assert summary.sentence_pairs == summary.kept + sum(summary.dropped.values())
    assert summary.mean_score == pytest.approx(sum(r.score for r in records) / len(records), abs=1e-3)


def test_dataset_loads_with_datasets(first_run) -> None:
    out, summary, _ = first_run
    test = datasets.load_from_disk(str(out))["test"]
    assert test.num_rows == summary.kept
    assert set(test[0]["translation"]) == {"en", "fr"}
    assert (out / "README.md").read_text(encoding="utf-8").startswith("---\n")


def test_rerun_translates_nothing_and_writes_identical_bytes(first_run, cache: Path) -> None:
    out, summary, before = first_run
    assert summary.translations["fr-en"].new > 0  # the first run did translate
    with pytest.raises(AlignError, match="--overwrite"):
        run([CORPUS], out, RunConfig(engine="apertium", cache=cache))
    again = run([CORPUS], out, RunConfig(engine="apertium", cache=cache, overwrite=True,
                                         formats=("hf", "parquet", "jsonl", "tmx")))
    assert {d: t.new for d, t in again.translations.items()} == {"fr-en": 0}
    assert _differing(_tree_bytes(out), before) == []


def _cached_rows(cache: Path) -> int:
    if not cache.exists():
        return 0
    try:
        with sqlite3.connect(cache, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    except sqlite3.OperationalError:  # table not created yet
        return 0


@pytest.mark.slow  # two `align run` processes per signal
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_killed_run_leaves_old_output_and_resumes_from_cache(first_run, tmp_path: Path, sig: int) -> None:
    out = tmp_path / "out"
    shutil.copytree(first_run[0], out)
    before = _tree_bytes(out)
    cache = tmp_path / "cache.sqlite3"
    command = [*ALIGN, "run", str(CORPUS), "-o", str(out), "--engine", "apertium", "--cache", str(cache),
               "--overwrite", "--format", "hf,parquet,jsonl,tmx"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        deadline = time.monotonic() + 120
        while _cached_rows(cache) == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process.poll() is None, "the run ended before it could be interrupted"
        process.send_signal(sig)  # SIGKILL: no chance to clean up; SIGINT: Ctrl-C
    finally:
        _, stderr = process.communicate(timeout=120)
    if sig == signal.SIGINT:
        assert process.returncode == 130 and "interrupted:" in stderr and "Traceback" not in stderr, stderr
    assert _cached_rows(cache) > 0
    assert _differing(_tree_bytes(out), before) == []  # the complete dataset is still there, untouched

    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPO,
                          env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    assert "pairs kept" in done.stdout and "document pairs" in done.stdout
    assert re.search(r"translated fr-en \(apertium\) +│ +0 new", done.stdout), done.stdout
    assert _differing(_tree_bytes(out), before) == []  # same inputs and options: same bytes, wherever OUT is
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_cli_refuses_to_overwrite_and_reports_missing_language(first_run, tmp_path: Path) -> None:
    out, _, _ = first_run
    done = subprocess.run([*ALIGN, "run", str(CORPUS), "-o", str(out), "--engine", "apertium"],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 1
    assert "error:" in done.stderr and "--overwrite" in done.stderr and "Traceback" not in done.stderr
    only_fr = tmp_path / "fr"
    only_fr.mkdir()
    shutil.copy(CORPUS / f"{FR_002}.txt", only_fr)
    with pytest.raises(AlignError, match="no English article"):
        run([only_fr], tmp_path / "x", RunConfig(engine="apertium", cache=tmp_path / "c.sqlite3"))


def test_two_way_run_also_translates_english_to_french(first_run, cache: Path, tmp_path: Path) -> None:
    summary = run([CORPUS], tmp_path / "out", RunConfig(engine="apertium", cache=cache, two_way=True))
    assert set(summary.translations) == {"fr-en", "en-fr"} and summary.translations["fr-en"].new == 0
    assert summary.translations["en-fr"].new > 0
    manifest = load_manifest(tmp_path / "out")
    assert manifest["reverse_engine"]["id"].startswith("apertium:en-fr:") and "--two-way" in manifest["command"]
    assert {(p.fr_id, p.en_id) for p in summary.doc_pairs} == {(FR_002, EN_000), (FR_002, EN_001)}
    assert summary.kept > 10


def test_no_document_pair_gives_an_empty_dataset_and_says_why(first_run, cache: Path, tmp_path: Path) -> None:
    notes: list[str] = []
    summary = run([CORPUS], tmp_path / "out", RunConfig(engine="apertium", cache=cache, doc_min_score=1.0),
                  log=notes.append)
    assert summary.doc_pairs == [] and summary.kept == 0
    assert any("--doc-min-score" in note for note in notes)
    assert datasets.load_from_disk(str(tmp_path / "out"))["test"].num_rows == 0


def test_without_cache_everything_is_translated_and_the_data_is_the_same(first_run, tmp_path: Path) -> None:
    out, summary, before = first_run
    fresh = run([CORPUS], tmp_path / "out", RunConfig(engine="apertium", use_cache=False,
                                                      formats=("hf", "parquet", "jsonl", "tmx")))
    assert fresh.translations["fr-en"].cached == 0 and fresh.translations["fr-en"].new == sum(
        d["sentences"] for d in load_manifest(out)["corpus"]["documents"] if d["lang"] == "fr")
    assert _differing(_tree_bytes(tmp_path / "out"), before) == []


def _french_sentences() -> dict[str, list[str]]:
    """The French documents as the pipeline segments them: id -> sentences."""
    from align.corpus import load_corpus
    from align.segment import segment_document

    return {d.id: segment_document(d).texts for d in load_corpus([CORPUS]).documents if d.lang == "fr"}


def test_provided_translations_build_the_dataset(first_run, cache: Path, tmp_path: Path) -> None:
    import json

    from align.translate import get_translator

    french = _french_sentences()
    with get_translator("apertium", "fr", "en", cache=cache) as mt:
        english = {doc: mt.translate(sentences) for doc, sentences in french.items()}
    # One recognisable translation shows that the file, not an engine, fed the dataset.
    best = max((r for r in load_records(first_run[0]) if r.bead == "1-1"), key=lambda r: r.score)
    marked = best.fr_sent_ids[0]
    english[best.fr_doc][marked] += " (provided)"
    jsonl = tmp_path / "mt.jsonl"
    jsonl.write_text("".join(json.dumps({"doc": doc, "id": i, "mt": text}, ensure_ascii=False) + "\n"
                             for doc in sorted(english, reverse=True)  # any order
                             for i, text in enumerate(english[doc])), encoding="utf-8")
    notes: list[str] = []
    summary = run([CORPUS], tmp_path / "out", RunConfig(engine="provided", translations=jsonl, two_way=True),
                  log=notes.append)
    manifest = load_manifest(tmp_path / "out")
    assert manifest["engine"]["name"] == "provided" and manifest["engine"]["id"].startswith("provided:mt.jsonl:")
    assert manifest["reverse_engine"] is None and any("one-way" in n for n in notes)
    assert "--engine provided" in manifest["command"] and "--translations mt.jsonl" in manifest["command"]
    assert summary.translations["fr-en"].engine == "provided"
    assert {(p.fr_id, p.en_id) for p in summary.doc_pairs} == {(FR_002, EN_000), (FR_002, EN_001)}
    records = load_records(tmp_path / "out")
    assert records and all(r.mt == " ".join(english[r.fr_doc][i] for i in r.fr_sent_ids) for r in records)
    assert any(r.fr_doc == best.fr_doc and marked in r.fr_sent_ids and "(provided)" in r.mt for r in records)

    # The same translations as a line file, through the CLI (--translations implies --engine provided).
    lines = tmp_path / "mt.en"
    lines.write_text("".join(t + "\n" for doc in sorted(english) for t in english[doc]), encoding="utf-8")
    done = subprocess.run([*ALIGN, "run", str(CORPUS), "-o", str(tmp_path / "cli"), "--translations", str(lines)],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert re.search(r"translated fr-en \(provided\) +│ +\d+ read from file", done.stdout), done.stdout
    assert re.search(r"unaligned fr sentences \(paired documents\) +│ +\d+", done.stdout), done.stdout
    assert [r.mt for r in load_records(tmp_path / "cli")] == [r.mt for r in records]


def test_provided_translations_errors(tmp_path: Path) -> None:
    with pytest.raises(AlignError, match="needs --translations"):
        run([CORPUS], tmp_path / "a", RunConfig(engine="provided"))
    with pytest.raises(AlignError, match="--translations is for --engine provided"):
        run([CORPUS], tmp_path / "a", RunConfig(engine="apertium", translations=tmp_path / "mt.en"))
    short = tmp_path / "short.en"
    short.write_text("One line only.\n", encoding="utf-8")
    with pytest.raises(AlignError, match=r"short\.en: 1 lines but the segmented source has \d+ sentences"):
        run([CORPUS], tmp_path / "a", RunConfig(engine="provided", translations=short))
    done = subprocess.run([*ALIGN, "run", str(CORPUS), "-o", str(tmp_path / "b"), "-e", "provided",
                           "--translations", str(tmp_path / "missing.jsonl")],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 1 and "missing.jsonl: no such translations file" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
