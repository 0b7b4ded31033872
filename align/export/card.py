"""The dataset card (``README.md`` with a Hugging Face Hub YAML header), rendered from the manifest.

Everything in the card comes from the manifest and the records, so the card is
reproducible byte for byte and never disagrees with ``manifest.json``.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence

import yaml

from align.scoring import FLAGS, PairRecord

_BINS = 10
_EXAMPLES = 3

LIMITATIONS = """\
- Pairs come from comparable news articles, not from translations made for the purpose: the two sides of a
  pair are often close paraphrases rather than exact translations, and a sentence may add or drop details.
- The combined score uses chrF between the machine translation used for alignment and the English side.
  Evaluating that same engine (or a similar one) on this data therefore favours it: pairs it translated
  badly were more likely to be filtered out.
- Boilerplate is detected by repetition across documents and a short list of generic patterns; site-specific
  furniture that occurs once and happens to align can slip through.
- Language identification of short sentences is unreliable and is not used to flag sentences under the
  configured minimum length.
- The texts are news articles under their publishers' copyright; check the licence before redistributing."""


def size_category(n: int) -> str:
    """The Hub's ``size_categories`` value for ``n`` rows."""
    bounds = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
              (10_000_000, "1M<n<10M"))
    for bound, label in bounds:
        if n < bound:
            return label
    return "10M<n<100M"


def score_distribution(records: Sequence[PairRecord]) -> dict[str, object]:
    """Summary statistics of the kept pairs: score histogram, bead types, flags."""
    scores = [r.score for r in records]
    histogram = Counter(min(int(s * _BINS), _BINS - 1) for s in scores)
    return {
        "mean": round(statistics.fmean(scores), 4) if scores else None,
        "median": round(statistics.median(scores), 4) if scores else None,
        "min": min(scores, default=None),
        "max": max(scores, default=None),
        "histogram": [
            {"from": round(b / _BINS, 2), "to": round((b + 1) / _BINS, 2), "count": histogram.get(b, 0)}
            for b in range(_BINS)
        ],
        "beads": dict(sorted(Counter(r.bead for r in records).items())),
        "flags": dict(sorted(Counter(f for r in records for f in r.flags).items())),
    }


def _yaml_header(manifest: Mapping, n_records: int) -> str:
    header: dict[str, object] = {
        "language": ["en", "fr"],
        "license": manifest.get("license", "other"),
        "task_categories": ["translation"],
        "size_categories": [size_category(n_records)],
        "pretty_name": "French-English news sentence pairs (align)",
        "tags": ["parallel-corpus", "machine-translation-evaluation", "news"],
    }
    if "parquet" in manifest.get("formats", ()):
        header["configs"] = [{"config_name": "default", "data_files": [{"split": "test", "path": "test.parquet"}]}]
    return yaml.safe_dump(header, sort_keys=False, allow_unicode=True)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _settings_block(settings: Mapping) -> str:
    return "```json\n" + json.dumps(settings, indent=2, ensure_ascii=False, sort_keys=True) + "\n```"


def render_card(manifest: Mapping, records: Sequence[PairRecord]) -> str:
    """The full ``README.md`` of a dataset folder."""
    corpus = manifest.get("corpus", {})
    counts = manifest.get("counts", {})
    settings = manifest.get("settings", {})
    dist = manifest.get("score_distribution") or score_distribution(records)
    engine = manifest.get("engine") or {}
    reverse = manifest.get("reverse_engine") or {}
    min_score = settings.get("scoring", {}).get("min_score")

    parts = ["---", _yaml_header(manifest, len(records)).rstrip(), "---", ""]
    parts += [
        "# French-English news sentence pairs",
        "",
        f"{len(records)} French-English sentence pairs aligned automatically from news articles with "
        f"align {manifest.get('align_version', '')}, scored, and filtered, "
        "for evaluating machine translation. One split, `test`.",
        "",
        "```python",
        "import datasets",
        'pairs = datasets.load_from_disk("<this folder>")["test"]',
        "```",
        "",
        "## How it was made",
        "",
        "Articles were read and split into sentences; the French sentences were machine-translated into English; "
        "French and English articles telling the same story were paired (document alignment); the sentences "
        "of each document pair were aligned Bleualign-style (machine translation against the English side); every pair "
        "was scored, flagged, filtered, and exact duplicates removed.",
        "",
        "### Corpus",
        "",
    ]
    documents = corpus.get("documents", [])
    parts.append(
        _table(["document", "language", "sentences", "source", "sha256"],
               [[d.get("id"), d.get("lang"), d.get("sentences", ""), d.get("source", ""), str(d.get("sha256", ""))[:12]]
                for d in documents])
        if documents else "(no document list in the manifest)"
    )
    if corpus.get("skipped"):
        parts += ["", "Skipped inputs:", ""]
        parts += [f"- `{s.get('path')}`: {s.get('reason')}" for s in corpus["skipped"]]
    parts += [
        "",
        "### Translation engines",
        "",
        f"- French to English (used for alignment and in the `mt` field): **{engine.get('name', 'unknown')}**, "
        f"`{engine.get('id', 'unknown')}`",
        f"- English to French (second direction of alignment): **{reverse.get('name')}**, `{reverse.get('id')}`"
        if reverse else "- English to French: none (alignment used the French-to-English direction only)",
        "",
        "### Aligner settings and thresholds",
        "",
        _settings_block(settings) if settings else "(no settings in the manifest)",
        "",
        "A pair is kept when its combined `score` is at least "
        f"{min_score if min_score is not None else 'the configured minimum'}. The score is the weighted "
        "geometric mean (`bead_weight`) of the aligner's bead score and the chrF of the machine translation "
        "against the English side (rescaled from `chrf_chance` = 0 to `chrf_full` = 1), multiplied by the "
        "penalty of each flag. "
        "Headings at the ends of a bead are cut off before scoring. Exact duplicate pairs are kept once.",
        "",
        "## Counts",
        "",
    ]
    docs_per_lang = counts.get("documents", {})
    parts.append(_table(
        ["what", "count"],
        [*([f"{lang} documents", n] for lang, n in sorted(docs_per_lang.items())),
         ["document pairs", counts.get("document_pairs", "")],
         ["sentence pairs aligned", counts.get("sentence_pairs", "")],
         ["pairs kept", len(records)],
         *([f"dropped: {reason}", n] for reason, n in sorted(counts.get("dropped", {}).items()))],
    ))
    doc_pairs = manifest.get("document_pairs", [])
    if doc_pairs:
        parts += ["", "Document pairs:", "",
                  _table(["French", "English", "score"], [[p["fr_id"], p["en_id"], p["score"]] for p in doc_pairs])]
    parts += [
        "",
        "## Score distribution",
        "",
        f"Kept pairs: mean score {dist.get('mean')}, median {dist.get('median')}, "
        f"min {dist.get('min')}, max {dist.get('max')}.",
        "",
        _table(["score", "pairs"], [[f"{h['from']:.1f}-{h['to']:.1f}", h["count"]] for h in dist.get("histogram", [])]),
        "",
        "Bead types (French-English sentences): "
        + (", ".join(f"{k}: {v}" for k, v in dist.get("beads", {}).items()) or "none") + ".",
        "Flags on kept pairs: " + (", ".join(f"{k}: {v}" for k, v in dist.get("flags", {}).items()) or "none") + ".",
        "",
        "## Example pairs",
        "",
    ]
    examples = sorted(records, key=lambda r: (-r.score, r.id))[:_EXAMPLES]
    for r in examples:
        parts += [f"- `{r.id}` (score {r.score}, bead {r.bead})", f"  - fr: {r.fr}", f"  - en: {r.en}",
                  f"  - mt: {r.mt}"]
    if not examples:
        parts.append("(no pairs were kept)")
    parts += [
        "",
        "## Fields",
        "",
        "`id` (stable: French document / English document / sentence ids), `translation` (`en`, `fr`), `mt` "
        "(machine translation of the French side), `fr_doc`, `en_doc`, `fr_sent_ids`, `en_sent_ids` (0-based "
        "sentence ids within each document), `bead` (number of French and English sentences), `bead_score` "
        "(aligner confidence), `doc_score` (document-pair score), `score` (combined, 0-1), `chrf` and `bleu` "
        "(sacrebleu sentence scores of `mt` against `en`, 0-100), `length_ratio` (English / French characters), "
        f"`flags` (likely problems: {', '.join(FLAGS)}).",
        "",
        "## Files",
        "",
        *[f"- `{name}`" for name in sorted(manifest.get("files", {}))],
        "- `manifest.json`: every fact above in machine-readable form, with library versions",
        "",
        "## Known limitations",
        "",
        LIMITATIONS,
        "",
        "## Reproducing",
        "",
        "```",
        str(manifest.get("command", "align run CORPUS -o OUT")),
        "```",
        "",
        "Library versions: "
        + ", ".join(f"{k} {v}" for k, v in sorted(manifest.get("libraries", {}).items())) + ".",
        "",
    ]
    return "\n".join(parts)
