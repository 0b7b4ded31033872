"""MT evaluation: numbers agree exactly with direct sacrebleu calls; bad input gives AlignError."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.significance import PairedTest

from align.cli import main
from align.corpus import load_corpus
from align.errors import AlignError
from align.evaluate import (
    EvalDataset,
    evaluate,
    load_dataset,
    parse_system,
    read_hypotheses,
    score_bucket,
)
from align.export import DocumentText, save_dataset
from align.report import load_documents, write_report
from align.scoring import PairRecord, pair_id
from align.segment import segment_document

needs_apertium = pytest.mark.skipif(
    shutil.which("apertium") is None, reason="apertium is not on PATH (apt-get install apertium)"
)

# (fr, en, fr_doc, en_doc, fr ids, en ids, score): two document pairs, several bead types.
PAIRS = [
    ("Le président a annoncé jeudi un nouveau plan.", "The president announced a new plan on Thursday.", "fr1", "en1", [0], [0], 0.95),
    ("Le plan prévoit des aides pour les agriculteurs.", "The plan provides aid for farmers.", "fr1", "en1", [1], [1], 0.91),
    ("Les syndicats ont critiqué la mesure. Ils demandent plus.", "Unions criticised the measure and are asking for more.", "fr1", "en1", [2, 3], [2], 0.72),
    ("Le ministre répondra vendredi.", "The minister will reply on Friday.", "fr1", "en1", [5], [3], 0.88),
    ("La réunion a eu lieu à Paris.", "The meeting took place in Paris.", "fr1", "en1", [6], [4], 0.83),
    ("Une tempête a frappé la côte ouest.", "A storm hit the west coast.", "fr2", "en2", [0], [0], 0.97),
    ("Des milliers de foyers sont privés d'électricité.", "Thousands of homes are without power. Repairs are under way.", "fr2", "en2", [1], [1, 2], 0.66),
    ("Les écoles resteront fermées lundi.", "Schools will remain closed on Monday.", "fr2", "en2", [2], [3], 0.93),
    ("Les secours sont intervenus toute la nuit.", "Rescuers worked through the night.", "fr2", "en2", [3], [4], 0.55),
    ("Le vent a atteint 150 kilomètres par heure.", "The wind reached 150 kilometres per hour.", "fr2", "en2", [4], [5], 0.99),
    ("Un arbre est tombé sur une voiture.", "A tree fell on a car.", "fr2", "en2", [6], [6], 0.42),
    ("La préfecture appelle à la prudence.", "The prefecture is urging caution.", "fr2", "en2", [7], [8], 0.81),
]
# A second, plausible system output for the same rows (one line per row).
HYPOTHESES = [
    "The president announced Thursday a new plan.",
    "The plan foresees aid for the farmers.",
    "The unions criticised the measure. They ask for more.",
    "The minister will answer Friday.",
    "The meeting took place in Paris.",
    "A storm struck the west coast.",
    "Thousands of households are deprived of electricity.",
    "Schools will stay closed Monday.",
    "Rescue services intervened all night.",
    "The wind reached 150 kilometers per hour.",
    "A tree fell onto a car.",
    "The prefecture calls for caution.",
]

def write_dataset(folder: Path, pairs=PAIRS, engine: str = "apertium", documents=None) -> Path:
    """A dataset folder written by the export stage's own writer."""
    records = [
        PairRecord(
            id=pair_id(fr_doc, en_doc, fr_ids, en_ids),
            fr=fr,
            en=en,
            mt="",
            fr_doc=fr_doc,
            en_doc=en_doc,
            fr_sent_ids=tuple(fr_ids),
            en_sent_ids=tuple(en_ids),
            bead=f"{len(fr_ids)}-{len(en_ids)}",
            bead_score=score,
            doc_score=0.9,
            score=score,
            chrf=0.0,
            bleu=0.0,
            length_ratio=len(en) / len(fr),
            flags=(),
        )
        for fr, en, fr_doc, en_doc, fr_ids, en_ids, score in pairs
    ]
    manifest = {"engine": {"name": engine, "id": f"{engine}:fr-en:test"}}
    return save_dataset(records, folder, ["hf"], manifest, documents=documents)


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("ds") / "out")


@pytest.fixture()
def hyp_file(tmp_path: Path) -> Path:
    path = tmp_path / "hyp.txt"
    path.write_text("\n".join(HYPOTHESES) + "\n", encoding="utf-8")
    return path


REFS = [pair[1] for pair in PAIRS]


def test_scores_match_sacrebleu_exactly(dataset_dir: Path, hyp_file: Path, tmp_path: Path) -> None:
    # A second "system": the references with every other row replaced by its hypothesis.
    mixed = [ref if i % 2 else hyp for i, (ref, hyp) in enumerate(zip(REFS, HYPOTHESES))]
    mixed_file = tmp_path / "mixed.txt"
    mixed_file.write_text("\n".join(mixed) + "\n", encoding="utf-8")
    result = evaluate(dataset_dir, [str(hyp_file), str(mixed_file)], n_bootstrap=50, n_trials=100)

    assert [s.name for s in result.systems] == [str(hyp_file), str(mixed_file)]
    for system, hyps in zip(result.systems, (HYPOTHESES, mixed)):
        for name, metric in (("BLEU", BLEU()), ("chrF", CHRF()), ("chrF++", CHRF(word_order=2)), ("TER", TER())):
            expected = metric.corpus_score(hyps, [REFS], n_bootstrap=50)
            got = system.scores[name]
            assert got.score == expected.score
            assert got.signature == metric.get_signature().format()
            assert "bs:50" in got.signature
            assert got.mean == expected._mean
            assert got.ci == (expected._mean - expected._ci, expected._mean + expected._ci)
    # The mixed system is closer to the references than the hypotheses alone.
    assert result.systems[1].scores["BLEU"].score > result.systems[0].scores["BLEU"].score

    # Paired tests: same p-values as sacrebleu's PairedTest on the same strings.
    named = [(str(hyp_file), HYPOTHESES), (str(mixed_file), mixed)]
    for test_type, n in (("bs", 50), ("ar", 100)):
        metrics = {"BLEU": BLEU(), "chrF": CHRF(), "chrF++": CHRF(word_order=2), "TER": TER()}
        _, table = PairedTest(named, metrics, [REFS], test_type=test_type, n_samples=n)()
        got = {p.metric: p for p in result.paired if p.test == test_type}
        assert set(got) == {"BLEU", "chrF", "chrF++", "TER"}
        for metric, key in zip(metrics, ["BLEU", "chrF2", "chrF2++", "TER"]):
            assert got[metric].p_value == table[key][1].p_value
            assert got[metric].system_score == table[key][1].score
            assert got[metric].baseline == str(hyp_file)
            assert 0 < got[metric].p_value <= 1
    # No bias warning for hypothesis files; 12 pairs are too few for trustworthy intervals.
    assert result.warnings == (
        "only 12 sentence pairs evaluated: confidence intervals and significance tests on fewer "
        "than 100 pairs are unreliable; treat the scores as indicative",
    )


def test_breakdowns_and_min_score(dataset_dir: Path, hyp_file: Path) -> None:
    result = evaluate(dataset_dir, [str(hyp_file)], n_bootstrap=0, n_trials=0, min_score=0.8)
    kept = [i for i, pair in enumerate(PAIRS) if pair[6] >= 0.8]
    assert result.n_rows == len(kept) and result.n_dataset_rows == len(PAIRS)
    hyps = [HYPOTHESES[i] for i in kept]
    refs = [REFS[i] for i in kept]
    assert result.systems[0].scores["BLEU"].score == BLEU().corpus_score(hyps, [refs]).score
    assert result.systems[0].scores["BLEU"].ci is None
    assert result.paired == ()

    groups = {(g.kind, g.key): g for g in result.breakdowns}
    assert set(k for k, _ in groups) == {"document", "bead", "score"}
    doc = groups[("document", "fr1 ↔ en1")]
    doc_rows = [i for i in kept if PAIRS[i][2] == "fr1"]
    assert doc.n_rows == len(doc_rows)
    assert doc.scores[str(hyp_file)]["chrF"] == CHRF().corpus_score(
        [HYPOTHESES[i] for i in doc_rows], [[REFS[i] for i in doc_rows]]
    ).score
    # Only 1-1 beads reach 0.8 here; buckets are split at the score edges.
    assert {k for kind, k in groups if kind == "bead"} == {"1-1"}
    assert {k for kind, k in groups if kind == "score"} == {"0.80-0.90", "0.90-1.00"}
    assert score_bucket(0.9) == "0.90-1.00" and score_bucket(1.0) == "0.90-1.00"

    # The curve covers the whole dataset, whatever --min-score is.
    curve = {point.key: point for point in result.curve}
    assert curve["0"].n_rows == len(PAIRS)
    assert curve["0.9"].n_rows == sum(pair[6] >= 0.9 for pair in PAIRS)
    assert curve["0"].scores[str(hyp_file)]["BLEU"] == BLEU().corpus_score(HYPOTHESES, [REFS]).score


def test_jsonl_hypotheses_keyed_by_id(dataset_dir: Path, tmp_path: Path) -> None:
    data = load_dataset(dataset_dir)
    ids = [row.id for row in data.rows]
    path = tmp_path / "hyp.jsonl"
    # Reversed order: rows are matched by id, not by position.
    lines = [json.dumps({"id": i, "hyp": h}) for i, h in zip(ids, HYPOTHESES)][::-1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_hypotheses(path, ids) == HYPOTHESES

    path.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    with pytest.raises(AlignError, match=r"hyp\.jsonl: 1 dataset rows missing"):
        read_hypotheses(path, ids)


def test_json_output_shape(dataset_dir: Path, hyp_file: Path) -> None:
    result = evaluate(dataset_dir, [str(hyp_file)], n_bootstrap=20, n_trials=0)
    out = json.loads(json.dumps(result.to_json()))
    system = out["systems"][0]
    assert system["name"] == str(hyp_file)
    for metric in ("BLEU", "chrF", "TER"):
        assert set(system[metric]) >= {"score", "signature", "ci"}
        low, high = system[metric]["ci"]
        assert low <= high
    assert out["paired"] == [] and [w for w in out["warnings"] if "inflates" in w] == []


@needs_apertium
@pytest.mark.apertium
def test_bias_warning_when_system_aligned_the_dataset(
    dataset_dir: Path,
    hyp_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = evaluate(
        dataset_dir, ["apertium", str(hyp_file)], n_bootstrap=10, n_trials=10, cache=tmp_path / "cache.sqlite"
    )
    bias = [w for w in result.warnings if "inflates" in w]
    assert len(bias) == 1 and bias[0].startswith("system 'apertium' is apertium, the engine")
    assert "align the corpus with another engine (e.g. `--engine argos`)" in bias[0]
    assert result.systems[0].engine_id.startswith("apertium")
    # Apertium output is scored like any hypothesis: same numbers as sacrebleu on its strings.
    hyps = list(result.hypotheses["apertium"])
    assert len(hyps) == len(PAIRS) and all(hyps)
    assert result.systems[0].scores["chrF"].score == CHRF().corpus_score(hyps, [REFS], n_bootstrap=10).score
    assert result.to_json()["warnings"] == list(result.warnings)

    # A dataset aligned with another engine gets no warning for apertium.
    other = write_dataset(tmp_path / "argos-aligned", engine="argos")
    # The terminal output says it too, on stderr.
    cache = str(tmp_path / "cache.sqlite")
    code, out, err = _align(capsys, monkeypatch, "evaluate", str(dataset_dir), "-s", "apertium", "--cache", cache)
    assert code == 0 and "BLEU" in out
    assert "warning: system 'apertium' is apertium, the engine" in " ".join(err.split())

    unbiased = evaluate(other, ["apertium"], n_bootstrap=0, n_trials=0, cache=tmp_path / "cache.sqlite")
    assert [w for w in unbiased.warnings if "inflates" in w] == []


def test_parse_system() -> None:
    spec = parse_system("argos:beam=4,device=cpu")
    assert spec.engine == "argos" and spec.options == (("beam_size", 4), ("device", "cpu"))
    assert parse_system("apertium").engine == "apertium"
    with pytest.raises(AlignError, match="unknown system 'nonesuch'"):
        parse_system("nonesuch")
    with pytest.raises(AlignError, match="KEY=VALUE"):
        parse_system("argos:beam")


def test_bad_inputs(dataset_dir: Path, tmp_path: Path) -> None:
    short = tmp_path / "short.txt"
    short.write_text("one line\n", encoding="utf-8")
    with pytest.raises(AlignError, match=r"short\.txt: 1 lines but the dataset has 12 rows"):
        evaluate(dataset_dir, [str(short)])

    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("\n".join(HYPOTHESES).replace("The", "Thé").encode("latin-1"))
    with pytest.raises(AlignError, match=r"latin1\.txt: not UTF-8"):
        evaluate(dataset_dir, [str(latin1)])

    not_ours = tmp_path / "not-ours"
    not_ours.mkdir()
    (not_ours / "data.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(AlignError, match=r"not-ours/manifest\.json not found; is .*not-ours a dataset folder written by `align run`"):
        load_dataset(not_ours)

    corrupt = write_dataset(tmp_path / "corrupt")
    for arrow in (corrupt / "test").glob("*.arrow"):
        arrow.write_bytes(b"garbage")
    with pytest.raises(AlignError, match=r"corrupt/test cannot be read \(.+\); re-run `align run`"):
        load_dataset(corrupt)
    (corrupt / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(AlignError, match=r"corrupt/manifest\.json is not valid JSON .*; re-run `align run`"):
        load_dataset(corrupt)

    empty = write_dataset(tmp_path / "empty", pairs=[])
    with pytest.raises(AlignError, match=r"empty: the dataset is empty"):
        load_dataset(empty)

    ok = tmp_path / "ok.txt"
    ok.write_text("\n".join(HYPOTHESES), encoding="utf-8")  # no final newline: still 12 lines
    with pytest.raises(AlignError, match="no row has an alignment score >= 1.0"):
        evaluate(dataset_dir, [str(ok)], min_score=1.0)
    with pytest.raises(AlignError, match="unknown system"):
        evaluate(dataset_dir, ["bleurgh"])


def test_loaded_rows(dataset_dir: Path) -> None:
    data = load_dataset(dataset_dir)
    assert isinstance(data, EvalDataset)
    assert data.engine_name == "apertium"
    assert [row.en for row in data.rows] == REFS
    assert data.rows[2].bead == "2-1" and data.rows[2].fr_sent_ids == (2, 3)


# --- command line, script, HTML report ------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent


def _align(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """Run the console entry point in-process (AlignError handling is what users get)."""
    monkeypatch.setattr(sys, "argv", ["align", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def test_cli_json_and_errors(
    dataset_dir: Path, hyp_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [str(dataset_dir), "--system", str(hyp_file), "--json", "--bootstrap", "20", "--trials", "0"]
    code, out, err = _align(capsys, monkeypatch, "evaluate", *args)
    assert code == 0, err
    cli_json = json.loads(out)
    assert cli_json["systems"][0]["BLEU"]["score"] == BLEU().corpus_score(HYPOTHESES, [REFS]).score
    assert [w for w in cli_json["warnings"] if "inflates" in w] == []

    code, out, err = _align(capsys, monkeypatch, "evaluate", str(dataset_dir), "--system", "nonesuch")
    assert code == 1 and err.startswith("error: unknown system 'nonesuch'") and "Traceback" not in err

    # The script is a thin wrapper over the same API: same JSON.
    spec = importlib.util.spec_from_file_location("bleu_eval", REPO / "scripts" / "bleu_eval.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main(args) == 0
    assert json.loads(capsys.readouterr().out) == cli_json


def test_bleu_eval_script_runs_standalone(dataset_dir: Path, tmp_path: Path) -> None:
    short = tmp_path / "short.txt"
    short.write_text("just one\n", encoding="utf-8")
    failed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "bleu_eval.py"), str(dataset_dir), "-s", str(short)],
        capture_output=True, text=True, timeout=120,
    )
    assert failed.returncode == 1
    assert failed.stderr.strip().endswith("short.txt: 1 lines but the dataset has 12 rows; give one hypothesis per dataset row, in dataset order")


def _corpus_dataset(tmp_path: Path) -> tuple[Path, Path]:
    """Two articles and a dataset holding their full text in documents.jsonl, as `align run` writes."""
    fr_text = (
        "Le maire a inauguré le pont <neuf> & moderne.\n\n"
        "Une phrase sans équivalent anglais.\n\n"
        "La circulation reprendra demain matin."
    )
    en_text = "The mayor opened the new & modern bridge.\n\nTraffic will resume tomorrow morning."
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "pont-fr.txt").write_text(fr_text, encoding="utf-8")
    (tmp_path / "articles" / "bridge-en.txt").write_text(en_text, encoding="utf-8")
    docs = {}
    for name, lang in (("pont-fr", "fr"), ("bridge-en", "en")):
        doc = load_corpus([tmp_path / "articles" / f"{name}.txt"], lang=lang).documents[0]
        docs[lang] = segment_document(doc)
    fr, en = docs["fr"], docs["en"]
    pairs = [
        (fr.sentences[0].text, en.sentences[0].text, fr.document.id, en.document.id, [0], [0], 0.9),
        (fr.sentences[2].text, en.sentences[1].text, fr.document.id, en.document.id, [2], [1], 0.6),
    ]
    documents = [DocumentText(d.document.id, d.document.lang, d.document.title, tuple(d.texts)) for d in (fr, en)]
    folder = write_dataset(tmp_path / "out", pairs=pairs, documents=documents)
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("The mayor inaugurated the <new> bridge.\nTraffic resumes tomorrow.\n", encoding="utf-8")
    return folder, hyp


def test_html_report(tmp_path: Path) -> None:
    folder, hyp = _corpus_dataset(tmp_path)
    result = evaluate(folder, [str(hyp)], n_bootstrap=20, n_trials=0, min_score=0.7)
    documents = load_documents(folder)
    assert documents[("fr", "pont-fr")][1] == "Une phrase sans équivalent anglais."
    report = write_report(result, tmp_path / "report", documents)

    for png in ("systems.png", "scores.png", "threshold.png"):
        data = (report / png).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 5000
    index = (report / "index.html").read_text(encoding="utf-8")
    assert "nrefs:1|bs:20|seed:12345" in index and 'href="docs/pair-001.html"' in index
    assert "1 of 2 rows with alignment score &gt;= 0.7" in index

    page = (report / "docs" / "pair-001.html").read_text(encoding="utf-8")
    # Text is escaped; the unaligned French sentence is shown greyed with its text.
    assert "&lt;neuf&gt; &amp; moderne" in page and "<neuf>" not in page
    assert '<tr class="unaligned"><td class="side"><span class="sid">1</span>Une phrase sans' in page
    assert page.count(">no pair</td>") == 1   # not called "unaligned": filters drop pairs too
    assert page.count('class="aligned') == 2 and page.count('class="aligned below"') == 1
    assert "no documents.jsonl" not in page

    # The pages need only the dataset folder, not the source articles.
    shutil.rmtree(tmp_path / "articles")
    assert load_documents(folder)[("en", "bridge-en")] == ("The mayor opened the new & modern bridge.",
                                                          "Traffic will resume tomorrow morning.")
    # A folder without documents.jsonl (older align): numbered gaps and a note instead.
    (folder / "documents.jsonl").unlink()
    assert load_documents(folder) is None
    report = write_report(result, tmp_path / "report", None)  # replaces our own report
    page = (report / "docs" / "pair-001.html").read_text(encoding="utf-8")
    assert "(not in the dataset; text unknown)" in page and "no documents.jsonl" in page

    elsewhere = tmp_path / "not-a-report"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(AlignError, match="not-a-report exists and is not an align report"):
        write_report(result, elsewhere)
    assert (elsewhere / "keep.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.slow
@pytest.mark.skipif(
    not any(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")),
    reason="Chromium is not installed (apt-get install -y chromium)",
)
def test_report_screenshot_in_headless_chromium(tmp_path: Path) -> None:
    folder, hyp = _corpus_dataset(tmp_path)
    report = write_report(evaluate(folder, [str(hyp)], n_bootstrap=20, n_trials=0), tmp_path / "report")
    shots = {}
    for page in ("index.html", "docs/pair-001.html"):
        png = tmp_path / (page.replace("/", "-") + ".png")
        done = subprocess.run(
            ["bash", str(REPO / "scripts" / "screenshot_report.sh"), str(report / page), str(png), "1024x1400"],
            capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr
        shots[page] = png
    from matplotlib.image import imread

    for page, png in shots.items():
        pixels = imread(png)
        assert pixels.shape[:2] == (1400, 1024)
        # A rendered page, not a blank one: many distinct colours (text, plots, highlights).
        colours = {tuple(p) for p in (pixels.reshape(-1, pixels.shape[-1])[::50] * 255).astype(int)}
        assert len(colours) > 20, page


def test_argos_system_with_options(tmp_path: Path) -> None:
    """`argos:package=DIR,beam=2` goes to the real CTranslate2 engine (a tiny random model)."""
    archive = tmp_path / "translate-fr_en.argosmodel"
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_tiny_argos_package.py"), str(archive)],
        check=True, capture_output=True, timeout=120,
    )
    with zipfile.ZipFile(archive) as members:
        members.extractall(tmp_path / "pkg")
    package = next((tmp_path / "pkg").glob("*/metadata.json")).parent
    dataset = write_dataset(tmp_path / "out", engine="argos")
    spec = f"argos:package={package},beam=2"
    result = evaluate(dataset, [spec], n_bootstrap=0, n_trials=0, use_cache=False)
    system = result.systems[0]
    assert system.engine_id is not None and ":beam=2:" in system.engine_id
    hyps = list(result.hypotheses[spec])
    assert len(hyps) == len(PAIRS)
    assert system.scores["chrF"].score == CHRF().corpus_score(hyps, [REFS]).score
    # The dataset was aligned with Argos: evaluating Argos on it is flagged.
    bias = [w for w in result.warnings if "inflates" in w]
    assert len(bias) == 1 and "(e.g. `--engine apertium`)" in bias[0]
