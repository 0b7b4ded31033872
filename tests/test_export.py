from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
import yaml

import align.export.formats as formats_module
from align.errors import AlignError
from align.export import (
    DocumentText,
    read_documents,
    FEATURES,
    FORMATS,
    export_dataset,
    load_manifest,
    load_records,
    parse_formats,
    save_dataset,
)
from align.scoring import PairRecord

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MANIFEST_IN = {"engine": {"name": "apertium", "id": "apertium:fr-en:test"}, "license": "cc-by-4.0",
               "counts": {"documents": {"en": 1, "fr": 1}, "document_pairs": 1, "sentence_pairs": 3,
                          "dropped": {"boilerplate": 1}}}


def record(i: int, fr: str, en: str, *, flags: tuple[str, ...] = (), score: float = 0.8) -> PairRecord:
    return PairRecord(
        id=f"fr1/en1/{i}-{i}", fr=fr, en=en, mt=f"MT of {fr}", fr_doc="fr1", en_doc="en1",
        fr_sent_ids=(i,), en_sent_ids=(i, i + 1) if i == 1 else (i,), bead="1-2" if i == 1 else "1-1",
        bead_score=0.9, doc_score=0.75, score=score, chrf=55.5, bleu=30.25, length_ratio=0.95, flags=flags,
    )


RECORDS = [
    record(0, "Joe Biden a donné son feu vert à l’Ukraine.", "Joe Biden gave Ukraine the green light."),
    record(1, "« Notre position n’a pas changé », a-t-il dit.", "“Our position has not changed,” he said. He left.",
           flags=("numbers_mismatch",), score=0.55),
    record(2, "Des <balises> & des \"guillemets\"\tet une tabulation.", "Some <tags> & \"quotes\"\tand a tab."),
]


@pytest.fixture()
def dataset_dir(tmp_path: Path) -> Path:
    return save_dataset(RECORDS, tmp_path / "out", FORMATS, MANIFEST_IN)


def test_hf_dataset_loads_with_the_documented_features(dataset_dir: Path) -> None:
    loaded = datasets.load_from_disk(str(dataset_dir))
    assert isinstance(loaded, datasets.DatasetDict) and list(loaded) == ["test"]
    test = loaded["test"]
    assert test.features == FEATURES
    assert isinstance(test.features["translation"], datasets.Translation)
    assert test.num_rows == 3
    assert test[1]["translation"] == {"en": RECORDS[1].en, "fr": RECORDS[1].fr}
    assert test[1]["en_sent_ids"] == [1, 2] and test[1]["flags"] == ["numbers_mismatch"]
    assert test["id"] == [r.id for r in RECORDS]


def test_every_format_reads_back(dataset_dir: Path) -> None:
    assert load_records(dataset_dir) == RECORDS
    assert [formats_module.from_row(r) for r in pq.read_table(dataset_dir / "test.parquet").to_pylist()] == RECORDS
    with open(dataset_dir / "test.jsonl", encoding="utf-8") as lines:
        assert [formats_module.from_row(json.loads(line)) for line in lines] == RECORDS

    with open(dataset_dir / "test.tsv", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    assert [r["id"] for r in rows] == [r.id for r in RECORDS]
    assert rows[0]["fr"] == RECORDS[0].fr and rows[0]["en"] == RECORDS[0].en
    assert rows[1]["en_sent_ids"] == "1,2" and float(rows[1]["score"]) == 0.55
    assert rows[2]["fr"] == RECORDS[2].fr.replace("\t", " ")  # tabs inside text become spaces

    fr_lines = (dataset_dir / "test.fr").read_text(encoding="utf-8").split("\n")
    en_lines = (dataset_dir / "test.en").read_text(encoding="utf-8").split("\n")
    assert fr_lines[-1] == en_lines[-1] == "" and len(fr_lines) == len(en_lines) == len(RECORDS) + 1
    assert en_lines[1] == RECORDS[1].en and "\t" not in fr_lines[2]

    tmx = ET.parse(dataset_dir / "test.tmx").getroot()
    assert tmx.tag == "tmx" and tmx.get("version") == "1.4"
    assert tmx.find("header").get("srclang") == "fr"
    units = tmx.findall("body/tu")
    assert [tu.get("tuid") for tu in units] == [r.id for r in RECORDS]
    for tu, rec in zip(units, RECORDS):
        segs = {tuv.get(XML_LANG): tuv.findtext("seg") for tuv in tu.findall("tuv")}
        assert segs == {"fr": rec.fr, "en": rec.en}  # markup characters survive the round trip


def test_card_and_manifest(dataset_dir: Path) -> None:
    card = (dataset_dir / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n")
    header = yaml.safe_load(card.split("---\n")[1])
    assert header["language"] == ["en", "fr"]
    assert header["license"] == "cc-by-4.0"
    assert header["task_categories"] == ["translation"]
    assert header["size_categories"] == ["n<1K"]
    assert header["configs"][0]["data_files"][0] == {"split": "test", "path": "test.parquet"}
    for section in ("## How it was made", "## Counts", "## Score distribution", "## Example pairs",
                    "## Known limitations", "apertium:fr-en:test"):
        assert section in card
    assert RECORDS[0].en in card  # the best pair is an example

    manifest = load_manifest(dataset_dir)
    assert manifest["engine"] == MANIFEST_IN["engine"]
    assert manifest["formats"] == list(FORMATS)
    assert manifest["records"] == 3
    assert {"python", "datasets", "pyarrow", "sacrebleu"} <= set(manifest["libraries"])
    assert manifest["score_distribution"]["flags"] == {"numbers_mismatch": 1}
    assert sum(b["count"] for b in manifest["score_distribution"]["histogram"]) == 3
    assert set(manifest["files"]) >= {"test.parquet", "test.tmx", "dataset_dict.json"}
    assert all((dataset_dir / name).is_file() for name in manifest["files"])


def _tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_records_give_identical_bytes(tmp_path: Path) -> None:
    a = _tree_bytes(save_dataset(RECORDS, tmp_path / "a", FORMATS, MANIFEST_IN))
    b = _tree_bytes(save_dataset(RECORDS, tmp_path / "b", FORMATS, MANIFEST_IN))
    assert a == b and len(a) > 10


def test_existing_output_needs_overwrite(dataset_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(AlignError, match="--overwrite"):
        save_dataset(RECORDS[:1], dataset_dir, ["jsonl"], MANIFEST_IN)
    save_dataset(RECORDS[:1], dataset_dir, ["jsonl"], MANIFEST_IN, overwrite=True)
    assert load_records(dataset_dir) == RECORDS[:1]
    assert not (dataset_dir / "test.tmx").exists()  # replaced, not merged

    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(AlignError, match="refusing"):
        save_dataset(RECORDS, precious, ["jsonl"], MANIFEST_IN, overwrite=True)
    assert (precious / "notes.txt").read_text() == "keep me"


def test_failed_write_keeps_the_previous_dataset(dataset_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _tree_bytes(dataset_dir)

    def half_write(records, folder):  # a crash in the middle of writing a file
        (folder / "test.tmx").write_text("<tmx")
        raise OSError("disk full")

    monkeypatch.setitem(formats_module.WRITERS, "tmx", half_write)
    with pytest.raises(OSError):
        save_dataset(RECORDS[:1], dataset_dir, FORMATS, MANIFEST_IN, overwrite=True)
    assert _tree_bytes(dataset_dir) == before
    assert [p.name for p in dataset_dir.parent.iterdir()] == ["out"]  # no partial folder left


def test_missing_parent_folders_are_created_and_bad_destinations_reported(tmp_path: Path) -> None:
    out = save_dataset(RECORDS, tmp_path / "runs" / "first" / "out", ["jsonl"], MANIFEST_IN)
    assert load_records(out) == RECORDS
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(AlignError, match="a-file is a file"):
        save_dataset(RECORDS, tmp_path / "a-file" / "out", ["jsonl"], MANIFEST_IN)
    with pytest.raises(AlignError, match="is a file, not a dataset folder"):
        save_dataset(RECORDS, tmp_path / "a-file", ["jsonl"], MANIFEST_IN, overwrite=True)


def test_stale_partial_folder_of_a_dead_run_is_removed(tmp_path: Path) -> None:
    stale = tmp_path / ".out.partial-999999999"
    stale.mkdir()
    (stale / "test.jsonl").write_text("half")
    save_dataset(RECORDS, tmp_path / "out", ["jsonl"], MANIFEST_IN)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_export_adds_formats_and_keeps_data(tmp_path: Path) -> None:
    documents = [DocumentText("d-en", "en", None, ("Hello.", "Unaligned.")),
                 DocumentText("d-fr", "fr", "Titre", ("Bonjour.",))]
    out = save_dataset(RECORDS, tmp_path / "out", ["hf"], MANIFEST_IN, documents=documents)
    assert read_documents(out) == documents[::-1]  # French first
    assert export_dataset(out, ["tmx", "moses"]) == ("hf", "moses", "tmx")
    assert read_documents(out) == documents[::-1] and "documents.jsonl" in load_manifest(out)["files"]
    assert (out / "test.tmx").is_file() and (out / "test.fr").is_file()
    assert load_records(out) == RECORDS
    assert load_manifest(out)["formats"] == ["hf", "moses", "tmx"]
    assert load_manifest(out)["engine"] == MANIFEST_IN["engine"]


def test_load_records_falls_back_to_jsonl_and_reports_bad_folders(tmp_path: Path) -> None:
    out = save_dataset(RECORDS, tmp_path / "out", ["jsonl"], MANIFEST_IN)
    assert load_records(out) == RECORDS
    with pytest.raises(AlignError, match="no dataset"):
        load_records(tmp_path)
    (out / "test.jsonl").write_text("{not json\n")
    with pytest.raises(AlignError, match="test.jsonl"):
        load_records(out)


def test_load_records_names_the_file_of_a_wrong_layout(tmp_path: Path) -> None:
    out = save_dataset(RECORDS, tmp_path / "out", ["jsonl"], MANIFEST_IN)
    row = json.loads((out / "test.jsonl").read_text(encoding="utf-8").splitlines()[0])
    del row["score"]
    (out / "test.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(AlignError, match=r"out/test\.jsonl is not laid out as align writes it \(KeyError\('score'\)\)"):
        load_records(out)
    (out / "test.jsonl").write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(AlignError, match=r"out/test\.jsonl is not laid out as align writes it"):
        load_records(out)


def test_empty_split_saved_without_a_shard_reads_as_empty(tmp_path: Path) -> None:
    # `save_to_disk`'s default for an empty split writes no data file; `datasets` then fails to
    # load it with IndexError. The reader treats that folder as the empty dataset it is.
    out = tmp_path / "old"
    datasets.DatasetDict({"test": formats_module.to_dataset([])}).save_to_disk(str(out))
    assert not list((out / "test").glob("*.arrow"))
    with pytest.raises(IndexError):
        datasets.load_from_disk(str(out))
    assert load_records(out) == []


def test_empty_dataset_is_still_a_valid_dataset(tmp_path: Path) -> None:
    out = save_dataset([], tmp_path / "out", FORMATS, MANIFEST_IN)
    assert datasets.load_from_disk(str(out))["test"].num_rows == 0
    assert load_records(out) == []
    assert ET.parse(out / "test.tmx").getroot().find("body") is not None
    assert "(no pairs were kept)" in (out / "README.md").read_text(encoding="utf-8")


def test_parse_formats() -> None:
    assert parse_formats("tmx, HF,jsonl") == ("hf", "jsonl", "tmx")
    with pytest.raises(AlignError, match="xml"):
        parse_formats("hf,xml")


def test_export_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from align.cli import app

    out = save_dataset(RECORDS, tmp_path / "out", ["hf"], MANIFEST_IN)
    result = CliRunner().invoke(app, ["export", str(out), "--format", "tmx,tsv"])
    assert result.exit_code == 0, result.output
    assert "hf, tsv, tmx" in result.output
    assert (out / "test.tmx").is_file() and (out / "test.tsv").is_file()
    bad = CliRunner().invoke(app, ["export", str(out), "--format", "docx"])
    assert bad.exit_code == 2 and "unknown output format docx" in bad.output
