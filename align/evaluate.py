"""Evaluate French→English MT systems against the English side of an exported dataset.

Every number comes from sacrebleu (corpus BLEU, chrF, chrF++, TER; bootstrap confidence
intervals; paired bootstrap and approximate-randomisation tests), so results carry sacrebleu
signatures and agree exactly with calling sacrebleu on the same strings. The bootstrap seed is
sacrebleu's own (`SACREBLEU_SEED`, default 12345) and appears in the signatures.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.metrics.base import Metric
from sacrebleu.significance import PairedTest

from align.errors import AlignError
from align.jsonl import json_object_lines
from align.scoring import PairRecord
from align.translate.factory import ENGINES, get_translator
from align.translate.lines import read_lines

#: Short option names accepted in system specs (`argos:beam=4`) for the engines' own names.
OPTION_ALIASES = {"beam": "beam_size"}
#: Metric names as they appear in tables and JSON, in display order.
METRICS = ("BLEU", "chrF", "chrF++", "TER")
#: Metrics of the breakdowns and the min-score curve. TER and chrF++ appear only in the main
#: scores: TER's statistics are by far the slowest to compute.
GROUP_METRICS = ("BLEU", "chrF")
#: Metrics whose higher value is better (TER is an error rate).
HIGHER_IS_BETTER = {"BLEU": True, "chrF": True, "chrF++": True, "TER": False}
DEFAULT_BOOTSTRAP = 1000
DEFAULT_TRIALS = 10000
#: Below this many evaluated pairs, intervals and p-values get a warning.
FEW_ROWS = 100
#: Edges of the score buckets of the breakdown; the last bucket includes 1.0.
SCORE_BUCKETS = (0.0, 0.5, 0.7, 0.8, 0.9, 1.0)
#: Thresholds at which the metric-vs-min-score curve is computed.
CURVE_THRESHOLDS = tuple(round(0.1 * k, 1) for k in range(10))
TestType = Literal["bs", "ar"]


def _metrics() -> dict[str, Metric]:
    """Fresh metric objects: sacrebleu stores bootstrap settings on them for the signature."""
    return {"BLEU": BLEU(), "chrF": CHRF(), "chrF++": CHRF(word_order=2), "TER": TER()}


# --- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SystemSpec:
    """A system to evaluate: an engine with options, or a file of hypotheses."""

    name: str
    engine: str | None = None
    options: tuple[tuple[str, Any], ...] = ()
    path: Path | None = None


@dataclass(frozen=True)
class EvalDataset:
    """The pairs of an exported dataset and the engine that aligned it."""

    path: Path
    rows: tuple[PairRecord, ...]
    engine_name: str | None
    engine_id: str | None


def _option_value(text: str) -> Any:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def parse_system(spec: str) -> SystemSpec:
    """`argos`, `apertium:opt=v,opt2=v2` → an engine; any other existing file → hypotheses.

    Engine names win over same-named files; write `./apertium` to mean the file.
    """
    head, _, rest = spec.partition(":")
    if head in ENGINES:
        options: list[tuple[str, Any]] = []
        for item in filter(None, rest.split(",")):
            key, eq, value = item.partition("=")
            if not eq or not key.strip():
                raise AlignError(f"system {spec!r}: option {item!r} is not KEY=VALUE")
            key = OPTION_ALIASES.get(key.strip(), key.strip())
            options.append((key, _option_value(value.strip())))
        return SystemSpec(name=spec, engine=head, options=tuple(options))
    path = Path(spec)
    if path.is_file():
        return SystemSpec(name=spec, path=path)
    raise AlignError(
        f"unknown system {spec!r}: not an engine ({', '.join(ENGINES)}) "
        "and no such hypothesis file"
    )


def load_dataset(path: str | Path) -> EvalDataset:
    """Read a dataset folder written by `align run` (its manifest.json and its pairs)."""
    from align.export import load_manifest, load_records  # imports `datasets`: slow, only needed here

    folder = Path(path)
    manifest = load_manifest(folder)
    rows = load_records(folder)
    if not rows:
        raise AlignError(f"{folder}: the dataset is empty; nothing to evaluate")
    engine = manifest.get("engine")
    engine = engine if isinstance(engine, dict) else {}
    return EvalDataset(path=folder, rows=tuple(rows), engine_name=engine.get("name"), engine_id=engine.get("id"))


def read_hypotheses(path: Path, ids: Sequence[str]) -> list[str]:
    """Hypotheses for the rows `ids`, in order: one line per row, or `.jsonl` of {"id", "hyp"}."""
    # read_lines splits on "\n" only: hypotheses may legitimately contain U+2028 or form feeds.
    lines = read_lines(path)
    if path.suffix.lower() == ".jsonl":
        return _jsonl_hypotheses(path, lines, ids)
    if len(lines) != len(ids):
        raise AlignError(
            f"{path}: {len(lines)} lines but the dataset has {len(ids)} rows; "
            "give one hypothesis per dataset row, in dataset order"
        )
    return lines


def _jsonl_hypotheses(path: Path, lines: Sequence[str], ids: Sequence[str]) -> list[str]:
    by_id: dict[str, str] = {}
    example = '{"id": "<row id>", "hyp": "<text>"}'
    for number, record in json_object_lines(lines, example):
        if isinstance(record, str):
            raise AlignError(f"{path}:{number}: {record}")
        if not (isinstance(record.get("id"), str) and isinstance(record.get("hyp"), str)):
            raise AlignError(f"{path}:{number}: expected {example}")
        if record["id"] in by_id:
            raise AlignError(f"{path}:{number}: duplicate id {record['id']!r}")
        by_id[record["id"]] = record["hyp"]
    missing = [row_id for row_id in ids if row_id not in by_id]
    unknown = sorted(set(by_id) - set(ids))
    if missing or unknown:
        detail = f"{len(missing)} dataset rows missing (first: {missing[0]!r})" if missing else ""
        if unknown:
            detail += ("; " if detail else "") + (
                f"{len(unknown)} ids not in the dataset (first: {unknown[0]!r})"
            )
        raise AlignError(f"{path}: {detail}; give exactly one hypothesis per dataset row id")
    return [by_id[row_id] for row_id in ids]


def translate_rows(
    spec: SystemSpec,
    sources: Sequence[str],
    *,
    cache: Path | None = None,
    use_cache: bool = True,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 256,
) -> tuple[list[str], str]:
    """Translate the French `sources` with the engine of `spec`; returns (hypotheses, engine id).

    `progress` is called with the number of sentences done after each batch.
    """
    assert spec.engine is not None
    try:
        translator = get_translator(
            spec.engine, "fr", "en", cache=cache, use_cache=use_cache, **dict(spec.options)
        )
    except TypeError as exc:  # an option the engine does not take
        raise AlignError(f"system {spec.name!r}: {exc}") from None
    try:
        hypotheses: list[str] = []
        for start in range(0, len(sources), batch_size):
            hypotheses.extend(translator.translate(sources[start : start + batch_size]))
            if progress is not None:
                progress(len(hypotheses))
        return hypotheses, translator.id
    finally:
        translator.close()


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricScore:
    """A corpus score with its sacrebleu signature and 95% bootstrap interval (mean ± half)."""

    score: float
    signature: str
    ci: tuple[float, float] | None = None
    mean: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "signature": self.signature,
            "ci": list(self.ci) if self.ci is not None else None,
            "mean": self.mean,
        }


@dataclass(frozen=True)
class SystemResult:
    name: str
    scores: Mapping[str, MetricScore]
    engine_id: str | None = None  # the translator's id when the system is an engine

    def to_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"name": self.name, "engine_id": self.engine_id}
        result.update({metric: score.to_json() for metric, score in self.scores.items()})
        return result


@dataclass(frozen=True)
class PairedResult:
    """One significance test of `system` against the baseline on one metric."""

    baseline: str
    system: str
    metric: str
    test: TestType
    baseline_score: float
    system_score: float
    p_value: float
    n_samples: int
    signature: str

    @property
    def better(self) -> bool:
        """Whether the system scores better than the baseline (direction depends on metric)."""
        delta = self.system_score - self.baseline_score
        return delta > 0 if HIGHER_IS_BETTER[self.metric] else delta < 0

    def to_json(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "system": self.system,
            "metric": self.metric,
            "test": self.test,
            "baseline_score": self.baseline_score,
            "system_score": self.system_score,
            "delta": self.system_score - self.baseline_score,
            "p_value": self.p_value,
            "n_samples": self.n_samples,
            "signature": self.signature,
        }


@dataclass(frozen=True)
class GroupResult:
    """Scores of every system on a subset of rows (a document pair, a bead type, a bucket)."""

    kind: Literal["document", "bead", "score", "threshold"]
    key: str
    n_rows: int
    scores: Mapping[str, Mapping[str, float]]  # system -> metric -> score

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "n_rows": self.n_rows,
            "scores": {name: dict(metrics) for name, metrics in self.scores.items()},
        }


@dataclass(frozen=True)
class Evaluation:
    dataset: str
    min_score: float | None
    n_rows: int
    n_dataset_rows: int
    systems: tuple[SystemResult, ...]
    paired: tuple[PairedResult, ...]
    breakdowns: tuple[GroupResult, ...]
    curve: tuple[GroupResult, ...]  # kind "threshold": metric on rows with score >= key
    warnings: tuple[str, ...]
    # For the HTML report: every dataset row and each system's hypothesis for it.
    rows: tuple[PairRecord, ...] = field(repr=False, default=())
    hypotheses: Mapping[str, tuple[str, ...]] = field(repr=False, default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "min_score": self.min_score,
            "n_rows": self.n_rows,
            "n_dataset_rows": self.n_dataset_rows,
            "systems": [system.to_json() for system in self.systems],
            "paired": [test.to_json() for test in self.paired],
            "breakdowns": [group.to_json() for group in self.breakdowns],
            "min_score_curve": [point.to_json() for point in self.curve],
            "warnings": list(self.warnings),
        }


# --- scoring ----------------------------------------------------------------------------


def score_system(
    hypotheses: Sequence[str], references: Sequence[str], *, n_bootstrap: int = DEFAULT_BOOTSTRAP
) -> dict[str, MetricScore]:
    """Corpus BLEU, chrF, chrF++ and TER, with bootstrap CIs when `n_bootstrap` > 1."""
    results: dict[str, MetricScore] = {}
    for name, metric in _metrics().items():
        score = metric.corpus_score(list(hypotheses), [list(references)], n_bootstrap=n_bootstrap)
        signature = metric.get_signature().format()
        if n_bootstrap > 1:
            # sacrebleu keeps the bootstrap mean and half-width only on these attributes.
            mean, half = float(score._mean), float(score._ci)
            results[name] = MetricScore(score.score, signature, (mean - half, mean + half), mean)
        else:
            results[name] = MetricScore(score.score, signature)
    return results


def paired_tests(
    systems: Sequence[tuple[str, Sequence[str]]],
    references: Sequence[str],
    *,
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    n_trials: int = DEFAULT_TRIALS,
) -> list[PairedResult]:
    """Paired bootstrap and approximate randomisation of each system against the first one."""
    if len(systems) < 2:
        return []
    named = [(name, list(hyps)) for name, hyps in systems]
    results: list[PairedResult] = []
    runs: list[tuple[TestType, int]] = [("bs", n_bootstrap), ("ar", n_trials)]
    for test_type, n_samples in runs:
        if n_samples < 1:
            continue
        metrics = _metrics()
        signatures, table = PairedTest(
            named, metrics, [list(references)], test_type=test_type, n_samples=n_samples
        )()
        # PairedTest names metrics by their score name ("chrF2++"); its order is ours.
        metric_keys = [key for key in table if key != "System"]
        for metric, key in zip(metrics, metric_keys):
            baseline = table[key][0]
            for (name, _), result in zip(named[1:], table[key][1:]):
                results.append(
                    PairedResult(
                        baseline=named[0][0],
                        system=name,
                        metric=metric,
                        test=test_type,
                        baseline_score=float(baseline.score),
                        system_score=float(result.score),
                        p_value=float(result.p_value),
                        n_samples=n_samples,
                        signature=signatures[key].format(),
                    )
                )
    return results


def score_bucket(score: float) -> str:
    """The breakdown bucket label of an alignment score, e.g. "0.70-0.80" (0.70 <= s < 0.80)."""
    edges = SCORE_BUCKETS
    index = min(max(bisect.bisect_right(edges, score) - 1, 0), len(edges) - 2)
    return f"{edges[index]:.2f}-{edges[index + 1]:.2f}"


#: Per system, per metric: the metric and its per-segment sufficient statistics.
SegmentStats = Mapping[str, Mapping[str, tuple[Metric, list[Any]]]]


def segment_statistics(
    rows: Sequence[PairRecord], hypotheses: Mapping[str, Sequence[str]]
) -> dict[str, dict[str, tuple[Metric, list[Any]]]]:
    """sacrebleu's per-segment statistics of GROUP_METRICS for each system.

    A corpus score of any subset of rows is the aggregate of that subset's statistics; sacrebleu
    computes corpus scores and resamples the same way, so subset scores equal `corpus_score` on
    the subset's strings, without tokenising and matching every row again for every subset.
    """
    refs = [[row.en for row in rows]]
    stats: dict[str, dict[str, tuple[Metric, list[Any]]]] = {}
    for name, hyps in hypotheses.items():
        metrics = _metrics()
        stats[name] = {
            metric: (metrics[metric], metrics[metric]._extract_corpus_statistics(list(hyps), refs))
            for metric in GROUP_METRICS
        }
    return stats


def _group_scores(
    kind: Literal["document", "bead", "score", "threshold"],
    groups: Iterable[tuple[str, list[int]]],
    stats: SegmentStats,
) -> list[GroupResult]:
    results = []
    for key, indices in groups:
        if not indices:
            continue
        scores = {
            system: {
                name: float(metric._aggregate_and_compute([segments[i] for i in indices]).score)
                for name, (metric, segments) in per_metric.items()
            }
            for system, per_metric in stats.items()
        }
        results.append(GroupResult(kind, key, len(indices), scores))
    return results


def breakdowns(
    rows: Sequence[PairRecord], hypotheses: Mapping[str, Sequence[str]], stats: SegmentStats | None = None
) -> list[GroupResult]:
    """Scores per document pair, per bead type and per alignment-score bucket (sorted keys).

    `stats` (from `segment_statistics` on the same rows) saves recomputing them.
    """
    stats = stats if stats is not None else segment_statistics(rows, hypotheses)
    by: dict[str, dict[str, list[int]]] = {"document": {}, "bead": {}, "score": {}}
    for index, row in enumerate(rows):
        by["document"].setdefault(f"{row.fr_doc} ↔ {row.en_doc}", []).append(index)
        by["bead"].setdefault(row.bead, []).append(index)
        by["score"].setdefault(score_bucket(row.score), []).append(index)
    results: list[GroupResult] = []
    for kind in ("document", "bead", "score"):
        results += _group_scores(kind, sorted(by[kind].items()), stats)  # type: ignore[arg-type]
    return results


def threshold_curve(
    rows: Sequence[PairRecord],
    hypotheses: Mapping[str, Sequence[str]],
    thresholds: Sequence[float] = CURVE_THRESHOLDS,
    stats: SegmentStats | None = None,
) -> list[GroupResult]:
    """Scores on the rows whose alignment score is at least each threshold."""
    stats = stats if stats is not None else segment_statistics(rows, hypotheses)
    groups = [
        (f"{t:g}", [i for i, row in enumerate(rows) if row.score >= t]) for t in thresholds
    ]
    return _group_scores("threshold", groups, stats)


def bias_warnings(dataset: EvalDataset, engine_ids: Mapping[str, str]) -> list[str]:
    """Warn for each system that is the engine whose translations aligned the dataset."""
    aligned_with = dataset.engine_name
    if not aligned_with or aligned_with == "provided":
        return []
    warnings = []
    for name, engine_id in engine_ids.items():
        if engine_id.split(":", 1)[0] != aligned_with:
            continue
        other = "argos" if aligned_with == "apertium" else "apertium"
        warnings.append(
            f"system {name!r} is {aligned_with}, the engine whose translations aligned this "
            f"dataset ({dataset.engine_id or aligned_with}): pairs were selected partly by "
            "agreement with its translations, which inflates its scores. For a fair comparison, "
            f"align the corpus with another engine (e.g. `--engine {other}`) and evaluate on that "
            "dataset, or evaluate on pairs selected with the other direction or engine."
        )
    return warnings


def size_warnings(n_rows: int) -> list[str]:
    """Bootstrap intervals and p-values need enough segments to mean anything."""
    if n_rows >= FEW_ROWS:
        return []
    return [
        f"only {n_rows} sentence pairs evaluated: confidence intervals and significance tests "
        f"on fewer than {FEW_ROWS} pairs are unreliable; treat the scores as indicative"
    ]


def evaluate(
    dataset: str | Path | EvalDataset,
    systems: Sequence[str],
    *,
    min_score: float | None = None,
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    n_trials: int = DEFAULT_TRIALS,
    cache: Path | None = None,
    use_cache: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> Evaluation:
    """Evaluate `systems` (engine specs or hypothesis files) on the dataset's English side.

    The first system is the baseline of the paired tests. `min_score` keeps only rows whose
    alignment score is at least that; hypothesis files still cover every dataset row.
    `progress(description, done, total)` reports translation (total > 0) and the start of
    each scoring stage (total 0).
    """
    data = dataset if isinstance(dataset, EvalDataset) else load_dataset(dataset)
    if not systems:
        raise AlignError("no system to evaluate; give at least one --system")
    if n_bootstrap < 0 or n_trials < 0:
        raise AlignError("the numbers of bootstrap resamples and trials must be >= 0")
    if min_score is not None and not (math.isfinite(min_score) and 0.0 <= min_score <= 1.0):
        raise AlignError(f"--min-score must be between 0 and 1, not {min_score}")
    specs = [parse_system(spec) for spec in systems]
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise AlignError(f"a system is given twice: {', '.join(names)}")

    ids = [row.id for row in data.rows]
    sources = [row.fr for row in data.rows]
    hypotheses: dict[str, tuple[str, ...]] = {}
    engine_ids: dict[str, str] = {}
    for spec in specs:
        if spec.path is not None:
            hypotheses[spec.name] = tuple(read_hypotheses(spec.path, ids))
            continue
        on_batch = (
            (lambda done, name=spec.name: progress(f"translating with {name}", done, len(sources)))
            if progress is not None
            else None
        )
        hyps, engine_ids[spec.name] = translate_rows(
            spec, sources, cache=cache, use_cache=use_cache, progress=on_batch
        )
        hypotheses[spec.name] = tuple(hyps)

    kept = [i for i, row in enumerate(data.rows) if min_score is None or row.score >= min_score]
    if not kept:
        raise AlignError(
            f"{data.path}: no row has an alignment score >= {min_score}; lower --min-score"
        )
    rows = [data.rows[i] for i in kept]
    refs = [row.en for row in rows]
    kept_hyps = {name: [hyps[i] for i in kept] for name, hyps in hypotheses.items()}

    def stage(description: str) -> None:
        if progress is not None:
            progress(description, 0, 0)

    stage("scoring with bootstrap intervals")
    results = tuple(
        SystemResult(
            name,
            score_system(hyps, refs, n_bootstrap=n_bootstrap),
            engine_ids.get(name),
        )
        for name, hyps in kept_hyps.items()
    )
    stage("paired significance tests")
    paired = tuple(
        paired_tests(list(kept_hyps.items()), refs, n_bootstrap=n_bootstrap, n_trials=n_trials)
    )
    stage("breakdowns")
    all_stats = segment_statistics(data.rows, hypotheses)
    kept_stats = {
        system: {name: (metric, [segments[i] for i in kept]) for name, (metric, segments) in per.items()}
        for system, per in all_stats.items()
    }
    return Evaluation(
        dataset=str(data.path),
        min_score=min_score,
        n_rows=len(rows),
        n_dataset_rows=len(data.rows),
        systems=results,
        paired=paired,
        breakdowns=tuple(breakdowns(rows, kept_hyps, kept_stats)),
        curve=tuple(threshold_curve(data.rows, hypotheses, stats=all_stats)),
        warnings=tuple(bias_warnings(data, engine_ids) + size_warnings(len(rows))),
        rows=data.rows,
        hypotheses=hypotheses,
    )
