"""Figures: one printed line each, and a JSON copy in bench/results/latest.json."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    reference: str | None = None
    ratio: float | None = None
    detail: dict = field(default_factory=dict)


def compared(name: str, value: float | None, unit: str, reference: Figure | None, **detail) -> Figure:
    """A figure with its ratio to `reference` (value / reference), when both were measured."""
    ratio = None
    if reference is not None and value is not None and reference.value:
        ratio = value / reference.value
    return Figure(name, value, unit, reference.name if reference else None, ratio, detail)


def line(figure: Figure) -> str:
    """`name value unit [reference=<name> ratio=<x.xx>]`."""
    value = "n/a" if figure.value is None else (f"{figure.value:.1f}" if figure.value < 100 else f"{figure.value:.0f}")
    text = f"{figure.name} {value} {figure.unit}"
    if figure.reference:
        ratio = "n/a" if figure.ratio is None else f"{figure.ratio:.2f}"
        text += f" reference={figure.reference} ratio={ratio}"
    return text


def report(figure: Figure) -> Figure:
    """Print the figure's line (stdout) and its details (stderr, as comments)."""
    print(line(figure), flush=True)
    if figure.detail:
        print(f"#   {figure.name}: {json.dumps(figure.detail, ensure_ascii=False)}", file=sys.stderr, flush=True)
    return figure


def write(figures: list[Figure], path: Path = RESULTS / "latest.json") -> Path:
    """Write every figure with the machine's core count and the time of the run."""
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    rows = [{**asdict(f), "ratio": None if f.ratio is None else round(f.ratio, 4),
             "cores": os.cpu_count(), "timestamp": stamp} for f in figures]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    return path


def write_profiles(run: str, profiles: dict[str, dict]) -> Path:
    """The top frames of each profiled process, in bench/results/profiles-<run>.json (and briefly on stderr)."""
    path = RESULTS / f"profiles-{run}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(profiles, ensure_ascii=False, indent=2) + "\n")
    for name, found in profiles.items():
        top = ", ".join(f"{label} {pct}%" for label, pct in found["self_pct"][:3])
        print(f"#   profile {run}/{name} ({found['samples']} samples): {top}", file=sys.stderr, flush=True)
    return path
