"""Writers of each output format, and the readers ``align export`` converts from.

Every writer takes the records in dataset order and a folder, writes its files
there, and returns their names. Nothing here writes a timestamp, so the same
records give the same bytes.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from pathlib import Path

import datasets
import pyarrow.parquet as pq

from align import __version__
from align.scoring import PairRecord

SPLIT = "test"

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
        "bead_score": datasets.Value("float64"),
        "doc_score": datasets.Value("float64"),
        "score": datasets.Value("float64"),
        "chrf": datasets.Value("float64"),
        "bleu": datasets.Value("float64"),
        "length_ratio": datasets.Value("float64"),
        "flags": datasets.Sequence(datasets.Value("string")),
    }
)

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def to_row(record: PairRecord) -> dict[str, object]:
    """A record as one dataset row (the layout of :data:`FEATURES`)."""
    row: dict[str, object] = {"id": record.id, "translation": {"en": record.en, "fr": record.fr}}
    for f in fields(PairRecord):
        if f.name not in ("id", "fr", "en"):
            value = getattr(record, f.name)
            row[f.name] = list(value) if isinstance(value, tuple) else value
    return {name: row[name] for name in FEATURES}


def from_row(row: dict) -> PairRecord:
    """Inverse of :func:`to_row`."""
    values = {k: v for k, v in row.items() if k != "translation"}
    values["fr"] = row["translation"]["fr"]
    values["en"] = row["translation"]["en"]
    for name in ("fr_sent_ids", "en_sent_ids", "flags"):
        values[name] = tuple(values[name])
    return PairRecord(**{f.name: values[f.name] for f in fields(PairRecord)})


def to_dataset(records: Sequence[PairRecord], info: datasets.DatasetInfo | None = None) -> datasets.Dataset:
    columns: dict[str, list] = {name: [] for name in FEATURES}
    for record in records:
        for name, value in to_row(record).items():
            columns[name].append(value)
    return datasets.Dataset.from_dict(columns, features=FEATURES, info=info, split=datasets.Split.TEST)


def _one_line(text: str) -> str:
    """Line-based formats cannot hold tabs or newlines inside a field."""
    return " ".join(text.split())


def write_hf(records: Sequence[PairRecord], folder: Path, *, description: str = "", license: str = "") -> list[str]:
    """``save_to_disk`` of a DatasetDict with one ``test`` split, at the root of ``folder``."""
    info = datasets.DatasetInfo(description=description, license=license, features=FEATURES)
    dataset_dict = datasets.DatasetDict({SPLIT: to_dataset(records, info)})
    was_enabled = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()  # the pipeline shows its own progress
    try:
        # An empty split would be saved with no shard at all, which load_from_disk cannot read.
        dataset_dict.save_to_disk(str(folder), num_shards={SPLIT: 1} if not records else None)
    finally:
        if was_enabled:
            datasets.enable_progress_bars()
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and _is_hf_file(p, folder))


def _is_hf_file(path: Path, folder: Path) -> bool:
    rel = path.relative_to(folder)
    return rel.parts[0] == SPLIT or rel.name == "dataset_dict.json"


def write_parquet(records: Sequence[PairRecord], folder: Path) -> list[str]:
    name = f"{SPLIT}.parquet"
    pq.write_table(to_dataset(records).data.table, folder / name)
    return [name]


def write_jsonl(records: Sequence[PairRecord], folder: Path) -> list[str]:
    name = f"{SPLIT}.jsonl"
    with open(folder / name, "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(to_row(record), ensure_ascii=False) + "\n")
    return [name]


TSV_COLUMNS = ("id", "fr", "en", "mt", "score", "bead", "bead_score", "doc_score", "chrf", "bleu",
               "length_ratio", "fr_doc", "en_doc", "fr_sent_ids", "en_sent_ids", "flags")


def write_tsv(records: Sequence[PairRecord], folder: Path) -> list[str]:
    """Tab-separated, one header line; list fields are comma-joined."""
    name = f"{SPLIT}.tsv"
    with open(folder / name, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(TSV_COLUMNS)
        for record in records:
            values = asdict(record)
            writer.writerow(
                ",".join(map(str, v)) if isinstance(v, tuple) else _one_line(v) if isinstance(v, str) else v
                for v in (values[c] for c in TSV_COLUMNS)
            )
    return [name]


def write_moses(records: Sequence[PairRecord], folder: Path) -> list[str]:
    """Moses plain text: ``test.fr`` and ``test.en``, line *i* of one translating line *i* of the other."""
    names = []
    for lang in ("fr", "en"):
        name = f"{SPLIT}.{lang}"
        with open(folder / name, "w", encoding="utf-8", newline="\n") as out:
            out.writelines(_one_line(getattr(r, lang)) + "\n" for r in records)
        names.append(name)
    return names


def write_tmx(records: Sequence[PairRecord], folder: Path) -> list[str]:
    """TMX 1.4 with French as the source language; scores and flags as ``<prop>`` elements."""
    name = f"{SPLIT}.tmx"
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(
        root,
        "header",
        {
            "creationtool": "align",
            "creationtoolversion": __version__,
            "segtype": "sentence",
            "o-tmf": "align",
            "adminlang": "en",
            "srclang": "fr",
            "datatype": "plaintext",
        },
    )
    body = ET.SubElement(root, "body")
    for record in records:
        tu = ET.SubElement(body, "tu", tuid=record.id)
        for prop, value in (("x-score", record.score), ("x-bead", record.bead), ("x-flags", ",".join(record.flags))):
            ET.SubElement(tu, "prop", type=prop).text = str(value)
        for lang in ("fr", "en"):
            tuv = ET.SubElement(tu, "tuv", {_XML_LANG: lang})
            ET.SubElement(tuv, "seg").text = getattr(record, lang)
    ET.indent(root)
    ET.ElementTree(root).write(folder / name, encoding="UTF-8", xml_declaration=True)
    return [name]


WRITERS: dict[str, Callable[[Sequence[PairRecord], Path], list[str]]] = {
    "parquet": write_parquet,
    "jsonl": write_jsonl,
    "tsv": write_tsv,
    "moses": write_moses,
    "tmx": write_tmx,
}
FORMATS = ("hf", *WRITERS)
DEFAULT_FORMATS = ("hf", "parquet", "jsonl")


def read_hf(folder: Path) -> list[PairRecord]:
    try:
        split = datasets.load_from_disk(str(folder))[SPLIT]
    except IndexError:
        # A split saved with no rows and no shard (as `save_to_disk` does by default) cannot be
        # loaded by `datasets`; with no data file at all, it is an empty dataset.
        if any((folder / SPLIT).glob("*.arrow")):
            raise
        return []
    return [from_row(row) for row in split]


def read_parquet(folder: Path) -> list[PairRecord]:
    return [from_row(row) for row in pq.read_table(folder / f"{SPLIT}.parquet").to_pylist()]


def read_jsonl(folder: Path) -> list[PairRecord]:
    with open(folder / f"{SPLIT}.jsonl", encoding="utf-8") as lines:
        return [from_row(json.loads(line)) for line in lines if line.strip()]


# Formats that keep every field: the file that shows they are present, the file or folder that
# holds the rows (named in errors) and the reader; tried in this order.
READERS: tuple[tuple[str, str, str, Callable[[Path], list[PairRecord]]], ...] = (
    ("hf", "dataset_dict.json", SPLIT, read_hf),
    ("parquet", f"{SPLIT}.parquet", f"{SPLIT}.parquet", read_parquet),
    ("jsonl", f"{SPLIT}.jsonl", f"{SPLIT}.jsonl", read_jsonl),
)
