"""Reading JSON Lines: one JSON object per line, blank lines skipped."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["json_object_lines"]


def json_object_lines(lines: Iterable[str], example: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """``(line number, object)`` for each non-blank line (numbered from 1), or ``(line number,
    reason)`` for a line that is not a JSON object, so each caller decides whether a bad line
    stops the read or is skipped. ``example`` (e.g. ``{"id": ..., "text": ...}``) is quoted in
    the reason."""
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield lineno, f"not valid JSON ({exc.msg})"
            continue
        if not isinstance(record, dict):
            yield lineno, f"expected a JSON object like {example}"
            continue
        yield lineno, record
