"""Presenting an `Evaluation`: rich tables for the terminal and a small static HTML report.

The HTML report is a folder: index.html (scores, signatures, paired tests, breakdowns, plots)
and one page per document pair showing both articles side by side, aligned pairs highlighted
with their scores, so a person can review the alignment at a glance. All text is escaped.
"""

from __future__ import annotations

import html
import json
from itertools import zip_longest
from collections.abc import Mapping, Sequence
from pathlib import Path

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from align.atomic import atomic_folder
from align.errors import AlignError
from align.export import DOCUMENTS, read_documents
from align.evaluate import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_TRIALS,
    GROUP_METRICS,
    METRICS,
    Evaluation,
    GroupResult,
    evaluate,
)
from align.scoring import PairRecord

#: Present in every report folder, so `--report DIR` only ever replaces one of ours.
MARKER = ".align-report"
#: Sentences of each paired document, keyed by (language, document id).
Documents = Mapping[tuple[str, str], Sequence[str]]


# --- terminal ---------------------------------------------------------------------------


def _fmt_ci(score: float, ci: tuple[float, float] | None) -> str:
    return f"{score:.2f}" if ci is None else f"{score:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"


def _score_cell(score: float, ci: tuple[float, float] | None) -> Text:
    cell = Text(f"{score:.2f}")
    if ci is not None:
        cell.append(f"\n[{ci[0]:.2f}, {ci[1]:.2f}]", style="dim")
    return cell


def _fmt_p(p_value: float) -> str:
    stars = "**" if p_value < 0.01 else "*" if p_value < 0.05 else ""
    return f"{p_value:.2g}{stars}"


def summary_line(evaluation: Evaluation) -> str:
    if evaluation.min_score is None:
        return f"{evaluation.dataset}: all {evaluation.n_dataset_rows} rows"
    return (
        f"{evaluation.dataset}: {evaluation.n_rows} of {evaluation.n_dataset_rows} rows "
        f"with alignment score >= {evaluation.min_score:g}"
    )


def _breakdown_table(title: str, groups: Sequence[GroupResult], systems: Sequence[str]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(title.split(" per ")[-1].capitalize(), overflow="fold")
    table.add_column("Rows", justify="right")
    for system in systems:
        for metric in GROUP_METRICS:
            table.add_column(f"{metric}\n{system}", justify="right")
    for group in groups:
        cells = [f"{group.scores[s][m]:.2f}" for s in systems for m in GROUP_METRICS]
        table.add_row(group.key, str(group.n_rows), *cells)
    return table


def render_tables(evaluation: Evaluation, *, breakdowns: bool = True) -> Group:
    """The evaluation as rich renderables: scores, signatures, paired tests, breakdowns."""
    parts: list[object] = [Text(summary_line(evaluation), style="bold")]
    scores = Table(title="Scores (95% bootstrap interval)", title_justify="left")
    scores.add_column("System", overflow="fold")
    for metric in METRICS:
        scores.add_column(metric + (" (lower is better)" if metric == "TER" else ""), justify="right")
    for system in evaluation.systems:
        scores.add_row(
            system.name,
            *(_score_cell(system.scores[m].score, system.scores[m].ci) for m in METRICS),
        )
    parts.append(scores)
    signatures = Table.grid(padding=(0, 1))
    signatures.add_column(style="bold")
    signatures.add_column(style="dim", overflow="fold")
    first = evaluation.systems[0]
    for metric in METRICS:
        signatures.add_row(metric, first.scores[metric].signature)
    parts.append(signatures)

    if evaluation.paired:
        baseline = evaluation.paired[0].baseline
        paired = Table(
            title=f"Paired tests against the baseline {baseline} (* p<0.05, ** p<0.01)",
            title_justify="left",
        )
        paired.add_column("System", overflow="fold")
        paired.add_column("Metric")
        for column in ("Baseline", "Score", "Δ"):
            paired.add_column(column, justify="right")
        # Paired bootstrap first, then approximate randomisation.
        tests = sorted({(p.test, p.n_samples) for p in evaluation.paired}, reverse=True)
        labels = {"bs": "bootstrap", "ar": "AR"}
        for test, n in tests:
            paired.add_column(f"p {labels[test]}\n(n={n})", justify="right")
        by_key = {(p.system, p.metric, p.test): p for p in evaluation.paired}
        for system in evaluation.systems[1:]:
            for metric in METRICS:
                any_test = next(by_key[(system.name, metric, t)] for t, _ in tests)
                delta = any_test.system_score - any_test.baseline_score
                paired.add_row(
                    system.name,
                    metric,
                    f"{any_test.baseline_score:.2f}",
                    f"{any_test.system_score:.2f}",
                    Text(f"{delta:+.2f}", style="green" if any_test.better else "red"),
                    *(_fmt_p(by_key[(system.name, metric, t)].p_value) for t, _ in tests),
                )
        parts.append(paired)

    if breakdowns:
        names = [system.name for system in evaluation.systems]
        titles = {
            "document": "BLEU / chrF per document pair",
            "bead": "BLEU / chrF per bead type",
            "score": "BLEU / chrF per score bucket",
        }
        for kind, title in titles.items():
            groups = [g for g in evaluation.breakdowns if g.kind == kind]
            if groups:
                parts.append(_breakdown_table(title, groups, names))
    return Group(*parts)


def print_evaluation(evaluation: Evaluation, console: Console | None = None) -> None:
    """Print the tables; warnings go to stderr so piped output stays clean."""
    console = console or Console()
    console.print(render_tables(evaluation))
    errors = Console(stderr=True)
    for warning in evaluation.warnings:
        errors.print(Text(f"warning: {warning}", style="yellow"))


# --- plots ------------------------------------------------------------------------------


def _new_figure(width: float = 6.4, height: float = 3.6):  # -> matplotlib.figure.Figure
    # Figure + Agg canvas directly: no pyplot global state, no display needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def plot_systems(evaluation: Evaluation, path: Path) -> None:
    """BLEU and chrF per system as bars with their 95% intervals."""
    figure = _new_figure()
    axes = figure.subplots(1, len(GROUP_METRICS))
    names = [system.name for system in evaluation.systems]
    for ax, metric in zip(axes, GROUP_METRICS):
        scores = [system.scores[metric] for system in evaluation.systems]
        values = [s.score for s in scores]
        errors = [
            [max(s.score - s.ci[0], 0.0) for s in scores],
            [max(s.ci[1] - s.score, 0.0) for s in scores],
        ] if all(s.ci is not None for s in scores) else None
        ax.bar(range(len(names)), values, yerr=errors, capsize=4, color="#4c78a8")
        ax.set_xticks(range(len(names)), [_short(n) for n in names], rotation=20, ha="right")
        ax.set_title(metric)
        top = max([s.ci[1] if s.ci is not None else s.score for s in scores] + [1.0])
        ax.set_ylim(0, 100.0 if metric == "chrF" else top * 1.15)
    figure.savefig(path)


def plot_score_distribution(rows: Sequence[PairRecord], min_score: float | None, path: Path) -> None:
    """Histogram of the dataset's alignment scores, with the --min-score threshold."""
    figure = _new_figure()
    ax = figure.subplots()
    ax.hist([row.score for row in rows], bins=20, range=(0.0, 1.0), color="#72b7b2")
    if min_score is not None:
        ax.axvline(min_score, color="#e45756", linestyle="--", label=f"--min-score {min_score:g}")
        ax.legend()
    ax.set_xlabel("alignment score")
    ax.set_ylabel("sentence pairs")
    ax.set_title(f"Score distribution ({len(rows)} pairs)")
    figure.savefig(path)


def plot_threshold_curve(evaluation: Evaluation, path: Path) -> None:
    """BLEU and chrF of each system on the pairs whose score is at least a threshold, and how
    many pairs that leaves."""
    figure = _new_figure(9.6, 3.6)
    axes = figure.subplots(1, len(GROUP_METRICS) + 1)
    thresholds = [float(point.key) for point in evaluation.curve]
    for ax, metric in zip(axes, GROUP_METRICS):
        for system in evaluation.systems:
            values = [point.scores[system.name][metric] for point in evaluation.curve]
            ax.plot(thresholds, values, marker="o", label=_short(system.name))
        ax.set_title(metric)
    axes[-1].plot(thresholds, [point.n_rows for point in evaluation.curve], marker="o", color="grey")
    axes[-1].set_title("pairs kept")
    axes[-1].set_ylim(bottom=0)
    for ax in axes:
        ax.set_xlabel("minimum alignment score")
    figure.suptitle("Scores on the pairs whose alignment score ≥ threshold")
    axes[0].legend(fontsize="small")
    figure.savefig(path)


def _short(name: str, width: int = 24) -> str:
    return name if len(name) <= width else "…" + name[-(width - 1) :]


# --- HTML -------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 72em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .25em .5em; vertical-align: top; }
th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .8em; color: #555; word-break: break-all; }
.warning { background: #fff4d6; border-left: 4px solid #e0a800; padding: .5em 1em; }
.plots img { max-width: 100%; border: 1px solid #ddd; margin: .3em 0; }
table.doc { width: 100%; table-layout: fixed; }
table.doc .side { width: 44%; }
table.doc .meta { width: 12%; text-align: center; font-size: .85em; }
tr.aligned td.side { background: hsl(var(--hue), 70%, 92%); }
tr.aligned td.meta { background: hsl(var(--hue), 60%, 80%); font-weight: bold; }
tr.below td { opacity: .55; }
tr.unaligned td { color: #999; background: #f6f6f6; font-style: italic; }
.sid { color: #888; font-size: .75em; margin-right: .4em; font-style: normal; }
.legend span { padding: .1em .5em; margin-right: .5em; }
"""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 1) -> str:
    """An HTML table; header and cell strings are escaped here."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{html.escape(c)}</td>' if i >= numeric_from else f"<td>{html.escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>\n"
        for row in rows
    )
    return f"<table>\n<tr>{head}</tr>\n{body}</table>\n"


def _index_html(evaluation: Evaluation, pages: Sequence[tuple[str, str, str, int]]) -> str:
    e = html.escape
    parts = [f"<h1>MT evaluation</h1>\n<p>{e(summary_line(evaluation))}</p>"]
    parts += [f'<p class="warning">{e(w)}</p>' for w in evaluation.warnings]

    parts.append("<h2>Scores (95% bootstrap interval)</h2>")
    parts.append(
        _table(
            ["System", *METRICS],
            [
                [s.name, *(_fmt_ci(s.scores[m].score, s.scores[m].ci) for m in METRICS)]
                for s in evaluation.systems
            ],
        )
    )
    first = evaluation.systems[0]
    parts.append(
        "<p>Signatures:</p><ul>"
        + "".join(f"<li>{e(m)}: <code>{e(first.scores[m].signature)}</code></li>" for m in METRICS)
        + "</ul>"
    )
    if evaluation.paired:
        parts.append(
            f"<h2>Paired tests against {e(evaluation.paired[0].baseline)}</h2>"
            "<p>p-values; * p&lt;0.05, ** p&lt;0.01. bs = paired bootstrap, "
            "ar = approximate randomisation.</p>"
        )
        parts.append(
            _table(
                ["System", "Metric", "Test", "Samples", "Baseline", "System score", "Δ", "p"],
                [
                    [
                        p.system,
                        p.metric,
                        p.test,
                        str(p.n_samples),
                        f"{p.baseline_score:.2f}",
                        f"{p.system_score:.2f}",
                        f"{p.system_score - p.baseline_score:+.2f}",
                        _fmt_p(p.p_value),
                    ]
                    for p in evaluation.paired
                ],
                numeric_from=3,
            )
        )
    parts.append(
        '<h2>Plots</h2>\n<div class="plots">'
        '<img src="systems.png" alt="BLEU and chrF per system with 95% intervals"><br>'
        '<img src="scores.png" alt="Distribution of alignment scores"><br>'
        '<img src="threshold.png" alt="BLEU and chrF as a function of the minimum score">'
        "</div>"
    )
    names = [s.name for s in evaluation.systems]
    headers = ["Group", "Rows", *(f"{m} {n}" for n in names for m in GROUP_METRICS)]
    for kind, title in (("document", "document pair"), ("bead", "bead type"), ("score", "score bucket")):
        groups = [g for g in evaluation.breakdowns if g.kind == kind]
        parts.append(f"<h2>Per {title}</h2>")
        parts.append(
            _table(
                headers,
                [
                    [g.key, str(g.n_rows), *(f"{g.scores[n][m]:.2f}" for n in names for m in GROUP_METRICS)]
                    for g in groups
                ],
            )
        )
    parts.append("<h2>Alignment review: document pairs</h2><ul>")
    parts += [
        f'<li><a href="{e(href)}">{e(fr)} ↔ {e(en)}</a> ({n} pairs)</li>' for href, fr, en, n in pages
    ]
    parts.append("</ul>")
    return _page("MT evaluation", "\n".join(parts))


def _side_cell(text: str, ids: Sequence[int], document: Sequence[str] | None) -> str:
    """One side of a pair: each sentence with its id when the document is known, else the
    pair's text under its id range."""
    known = [document[i] if document is not None and 0 <= i < len(document) else None for i in ids]
    if ids and all(t is not None for t in known):
        return " ".join(f'<span class="sid">{i}</span>{html.escape(t or "")}' for i, t in zip(ids, known))
    label = f"{ids[0]}–{ids[-1]}" if len(ids) > 1 else "".join(map(str, ids))
    return f'<span class="sid">{label}</span>{html.escape(text)}'


def _gap_cell(sentence_id: int | None, document: Sequence[str] | None) -> str:
    if sentence_id is None:
        return '<td class="side"></td>'
    text = document[sentence_id] if document is not None and sentence_id < len(document) else None
    content = html.escape(text) if text is not None else "(not in the dataset; text unknown)"
    return f'<td class="side"><span class="sid">{sentence_id}</span>{content}</td>'


def _gap_rows(
    fr_ids: range, en_ids: range, fr_all: Sequence[str] | None, en_all: Sequence[str] | None
) -> list[str]:
    """Sentences in no dataset pair between two pairs, the French and English ones side by side.

    They were left unaligned, or their pair was dropped by a filter (the dataset keeps no trace
    of which), so the label says only that they have no pair.
    """
    return [
        f'<tr class="unaligned">{_gap_cell(fr_id, fr_all)}'
        '<td class="meta" title="unaligned, or the pair was filtered out (see manifest.json: dropped)">no pair</td>'
        f"{_gap_cell(en_id, en_all)}</tr>"
        for fr_id, en_id in zip_longest(fr_ids, en_ids)
    ]


def document_html(
    fr_doc: str,
    en_doc: str,
    rows: Sequence[PairRecord],
    min_score: float | None,
    documents: Documents | None = None,
) -> str:
    """Both articles side by side: one table row per aligned pair, gaps as greyed rows.

    Without the full documents the text of sentences that are not in the dataset is unknown,
    so their positions are shown (from the gaps in the sentence ids) without text.
    """
    fr_all = documents.get(("fr", fr_doc)) if documents else None
    en_all = documents.get(("en", en_doc)) if documents else None
    ordered = sorted(rows, key=lambda r: (min(r.fr_sent_ids, default=-1), min(r.en_sent_ids, default=-1)))
    out: list[str] = []
    next_fr = next_en = 0
    for row in ordered:
        # Monotonic beads: what lies between the previous pair and this one is unaligned.
        fr_start = min(row.fr_sent_ids, default=next_fr)
        en_start = min(row.en_sent_ids, default=next_en)
        out += _gap_rows(range(next_fr, fr_start), range(next_en, en_start), fr_all, en_all)
        next_fr = max(next_fr, max(row.fr_sent_ids, default=-1) + 1)
        next_en = max(next_en, max(row.en_sent_ids, default=-1) + 1)
        hue = round(120 * row.score)  # red (0) → green (1)
        below = min_score is not None and row.score < min_score
        css = "aligned below" if below else "aligned"
        out.append(
            f'<tr class="{css}" style="--hue: {hue}" id="{html.escape(row.id)}">'
            f'<td class="side">{_side_cell(row.fr, row.fr_sent_ids, fr_all)}</td>'
            f'<td class="meta">{row.score:.2f}<br>{html.escape(row.bead)}</td>'
            f'<td class="side">{_side_cell(row.en, row.en_sent_ids, en_all)}</td></tr>'
        )
    # Sentences after the last pair are known only from the documents (or their counts).
    fr_end = len(fr_all) if fr_all is not None else next_fr
    en_end = len(en_all) if en_all is not None else next_en
    out += _gap_rows(range(next_fr, fr_end), range(next_en, en_end), fr_all, en_all)

    e = html.escape
    note = (
        ""
        if fr_all is not None and en_all is not None
        else f"<p><em>The dataset folder has no {DOCUMENTS} with these articles (written by an older "
        "align?), so unaligned sentences appear as numbered gaps without text, and sentences after "
        "the last aligned pair are not shown; re-run `align run` to include them.</em></p>"
    )
    threshold = f" Pairs below --min-score {min_score:g} are faded." if min_score is not None else ""
    body = (
        f'<p><a href="../index.html">← evaluation</a></p>\n'
        f"<h1>{e(fr_doc)} ↔ {e(en_doc)}</h1>\n"
        f"<p>{len(rows)} aligned pairs. Colour shows the alignment score (red 0 → green 1); "
        f"the middle column gives score and bead type. Grey rows are sentences in no pair: unaligned, "
        f"or in a pair the filters dropped.{threshold}</p>\n{note}\n"
        f'<table class="doc">\n<tr><th class="side">French: {e(fr_doc)}</th>'
        f'<th class="meta">score<br>bead</th><th class="side">English: {e(en_doc)}</th></tr>\n'
        + "\n".join(out)
        + "\n</table>"
    )
    return _page(f"{fr_doc} ↔ {en_doc}", body)


def load_documents(dataset: str | Path) -> dict[tuple[str, str], tuple[str, ...]] | None:
    """Sentences of the paired documents, keyed by (language, id), from the dataset's
    documents.jsonl; None when the folder has none (written by an older align)."""
    documents = read_documents(dataset)
    if documents is None:
        return None
    return {(d.lang, d.id): d.sentences for d in documents}


def check_report_dir(out: Path) -> None:
    """Refuse a destination that is not (empty, absent, or) a report this tool wrote."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise AlignError(f"{out} exists and is not an align report; choose another --report folder")
    if not out.parent.is_dir():
        raise AlignError(f"{out.parent} does not exist; create it or choose another --report folder")


def _write_report_files(evaluation: Evaluation, folder: Path, documents: Documents | None) -> None:
    (folder / MARKER).write_text("written by align evaluate --report\n", encoding="utf-8")
    plot_systems(evaluation, folder / "systems.png")
    plot_score_distribution(evaluation.rows, evaluation.min_score, folder / "scores.png")
    plot_threshold_curve(evaluation, folder / "threshold.png")
    by_pair: dict[tuple[str, str], list[PairRecord]] = {}
    for row in evaluation.rows:  # one pass, not one scan of all rows per document pair
        by_pair.setdefault((row.fr_doc, row.en_doc), []).append(row)
    pages = []
    for number, ((fr_doc, en_doc), rows) in enumerate(sorted(by_pair.items()), start=1):
        href = f"docs/pair-{number:03d}.html"
        page = document_html(fr_doc, en_doc, rows, evaluation.min_score, documents)
        (folder / href).write_text(page, encoding="utf-8")
        pages.append((href, fr_doc, en_doc, len(rows)))
    (folder / "index.html").write_text(_index_html(evaluation, pages), encoding="utf-8")


def write_report(
    evaluation: Evaluation, out_dir: str | Path, documents: Documents | None = None
) -> Path:
    """Write the HTML report folder atomically (built beside it, then renamed into place)."""
    out = Path(out_dir)
    check_report_dir(out)
    try:
        with atomic_folder(out) as partial:
            (partial / "docs").mkdir()
            _write_report_files(evaluation, partial, documents)
    except OSError as exc:
        raise AlignError(f"{out}: cannot write the report ({exc.strerror or exc})") from None
    return out


def run(
    dataset: str | Path,
    systems: Sequence[str],
    *,
    min_score: float | None = None,
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    n_trials: int = DEFAULT_TRIALS,
    as_json: bool = False,
    report_dir: str | Path | None = None,
    cache: Path | None = None,
    use_cache: bool = True,
) -> Evaluation:
    """What `align evaluate` and scripts/bleu_eval.py do: evaluate (progress on stderr), print
    tables or JSON on stdout, warnings on stderr, and write the HTML report if asked."""
    from rich.progress import Progress, TaskID

    errors = Console(stderr=True)
    if report_dir is not None:
        check_report_dir(Path(report_dir))  # fail before translating, not after
    # No bar when stderr is a file or pipe: it would only leave blank lines there.
    with Progress(console=errors, transient=True, disable=not errors.is_terminal) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(description: str, done: int, total: int) -> None:
            if description not in tasks:
                for task in tasks.values():  # one stage at a time: earlier ones are finished
                    bar.update(task, visible=False)
                tasks[description] = bar.add_task(description, total=total or None)
            bar.update(tasks[description], completed=done)

        evaluation = evaluate(
            dataset,
            systems,
            min_score=min_score,
            n_bootstrap=n_bootstrap,
            n_trials=n_trials,
            cache=cache,
            use_cache=use_cache,
            progress=progress,
        )
    if as_json:
        print(json.dumps(evaluation.to_json(), indent=2, ensure_ascii=False))
        for warning in evaluation.warnings:
            errors.print(Text(f"warning: {warning}", style="yellow"))
    else:
        print_evaluation(evaluation)
    if report_dir is not None:
        documents = load_documents(dataset)
        if documents is None:
            errors.print(Text(f"warning: {Path(dataset) / DOCUMENTS} not found (dataset written by an older align); "
                              "review pages show unaligned sentences without text. Re-run `align run` to add it.",
                              style="yellow"))
        written = write_report(evaluation, report_dir, documents)
        errors.print(f"report written to {written / 'index.html'}", highlight=False)
    return evaluation
