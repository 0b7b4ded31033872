"""MT evaluation: numbers agree exactly with direct sacrebleu calls; bad input gives AlignError."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import datasets
import pytest
from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.significance import PairedTest

from align.errors import AlignError
from align.evaluate import (
    EvalDataset,
    evaluate,
    load_dataset,
    parse_system,
    read_hypotheses,
    score_bucket,
)

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

FEATURES = datasets.Features(
    {
        "id": datasets.Value("string"),
        "translation": datasets.Translation(languages=["en", "fr"]),
        "mt": datasets.Value("string"),
        "fr_doc": datasets.Value("string"),
        "en_doc": datasets.Value("string"),
        "fr_sent_ids": datasets.Sequence(datasets.Value("int32")),
        "en_sent_ids": datasets.Sequence(datasets.Value("int32")),
        "bead": datasets.Value("string"),
        "score": datasets.Value("float64"),
        "chrf": datasets.Value("float64"),
        "bleu": datasets.Value("float64"),
        "length_ratio": datasets.Value("float64"),
        "flags": datasets.Sequence(datasets.Value("string")),
        "doc_score": datasets.Value("float64"),
    }
)


def write_dataset(folder: Path, pairs=PAIRS, engine: str = "apertium") -> Path:
    """A dataset folder laid out as `align export` writes it (save_to_disk + manifest.json)."""
    rows = [
        {
            "id": f"{fr_doc}-{en_doc}-{index:04d}",
            "translation": {"en": en, "fr": fr},
            "mt": "",
            "fr_doc": fr_doc,
            "en_doc": en_doc,
            "fr_sent_ids": fr_ids,
            "en_sent_ids": en_ids,
            "bead": f"{len(fr_ids)}-{len(en_ids)}",
            "score": score,
            "chrf": 0.0,
            "bleu": 0.0,
            "length_ratio": len(fr) / len(en),
            "flags": [],
            "doc_score": 0.9,
        }
        for index, (fr, en, fr_doc, en_doc, fr_ids, en_ids, score) in enumerate(pairs)
    ]
    columns = {name: [row[name] for row in rows] for name in FEATURES}
    split = datasets.Dataset.from_dict(columns, features=FEATURES)
    datasets.DatasetDict({"test": split}).save_to_disk(str(folder))
    manifest = {"engine": {"name": engine, "id": f"{engine}:fr-en:test"}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


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
    assert result.warnings == ()


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
    assert out["paired"] == [] and out["warnings"] == []


@needs_apertium
@pytest.mark.apertium
def test_bias_warning_when_system_aligned_the_dataset(dataset_dir: Path, hyp_file: Path, tmp_path: Path) -> None:
    result = evaluate(
        dataset_dir, ["apertium", str(hyp_file)], n_bootstrap=10, n_trials=10, cache=tmp_path / "cache.sqlite"
    )
    assert len(result.warnings) == 1
    assert "'apertium'" in result.warnings[0] and "inflates" in result.warnings[0]
    assert "align the corpus with another engine" in result.warnings[0]
    assert result.systems[0].engine_id.startswith("apertium")
    # Apertium output is scored like any hypothesis: same numbers as sacrebleu on its strings.
    hyps = list(result.hypotheses["apertium"])
    assert len(hyps) == len(PAIRS) and all(hyps)
    assert result.systems[0].scores["chrF"].score == CHRF().corpus_score(hyps, [REFS], n_bootstrap=10).score
    assert result.to_json()["warnings"] == list(result.warnings)

    # A dataset aligned with another engine gets no warning for apertium.
    other = write_dataset(tmp_path / "argos-aligned", engine="argos")
    assert evaluate(other, ["apertium"], n_bootstrap=0, n_trials=0, cache=tmp_path / "cache.sqlite").warnings == ()


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
    with pytest.raises(AlignError, match=r"not-ours: not an align dataset"):
        load_dataset(not_ours)

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
