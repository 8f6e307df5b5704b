"""Markdown tables of an evaluation: overall figures, recall per variant, a threshold sweep."""

from __future__ import annotations

from finflow.screen.evaluate import Metrics, Outcome, metrics

SWEEP = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


def overall_table(rows: list[tuple[str, Metrics, float]]) -> str:
    """One line per matcher: name, threshold, precision, recall, F1, FP rate, speed."""
    lines = [
        "| matcher | threshold | precision | recall | F1 | FP rate on negatives | "
        "false positives | queries/s (1 core) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, m, speed in rows:
        lines.append(
            f"| {name} | {m.threshold:.2f} | {m.precision:.3f} | {m.recall:.3f} | {m.f1:.3f} "
            f"| {m.fpr:.3f} | {m.false_positives} | {speed:,.0f} |"
        )
    return "\n".join(lines) + "\n"


def variant_table(rows: list[tuple[str, Metrics]]) -> str:
    """Recall per positive variant kind, hit rate per negative kind, one column per matcher."""
    variants = sorted(
        {v for _, m in rows for v in m.per_variant}, key=lambda v: (v[:4] == "neg-", v)
    )
    head = "| variant | queries | " + " | ".join(name for name, _ in rows) + " |"
    lines = [head, "| --- | ---: |" + " ---: |" * len(rows)]
    for variant in variants:
        total = next(m.per_variant[variant][1] for _, m in rows if variant in m.per_variant)
        cells = []
        for _, m in rows:
            hit, n = m.per_variant.get(variant, (0, 0))
            cells.append(f"{hit / n:.2f}" if n else "-")
        label = variant + (" (share flagged)" if variant.startswith("neg-") else " (recall)")
        lines.append(f"| {label} | {total} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def sweep_table(outcomes: list[Outcome]) -> str:
    lines = [
        "| threshold | precision | recall | F1 | FP rate on negatives |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for threshold in SWEEP:
        m = metrics(outcomes, threshold)
        lines.append(
            f"| {threshold:.2f} | {m.precision:.3f} | {m.recall:.3f} | {m.f1:.3f} | {m.fpr:.3f} |"
        )
    return "\n".join(lines) + "\n"
