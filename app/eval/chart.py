"""One horizontal bar chart per metric as inline SVG, drawn on the server.

No script and no chart library: the page reads without JavaScript, and each chart carries its
numbers as text (a <title>/<desc> and the printed value on every bar) for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from app.eval.report import BY_KEY, Report, fmt

BAR_H = 22
GAP = 6
LABEL_W = 220
BAR_W = 260
VALUE_W = 70


@dataclass(frozen=True)
class Chart:
    key: str
    label: str
    better: str
    svg: str  # markup, already escaped
    text: str  # the same numbers as one sentence


def charts(report: Report) -> list[Chart]:
    return [_chart(report, key) for key in report.metric_keys()]


def _chart(report: Report, key: str) -> Chart:
    metric = BY_KEY[key]
    values = [(r.model, r.metrics.get(key)) for r in report.rows]
    top = max((v for _, v in values if v is not None), default=0.0)
    scale = 1.0 if metric.kind == "share" else (top or 1.0)
    height = len(values) * (BAR_H + GAP) + GAP
    width = LABEL_W + BAR_W + VALUE_W
    text = f"{metric.label} ({metric.better} is better): " + "; ".join(
        f"{model} {fmt(metric, v)}" for model, v in values
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="eval-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="chart-{key}-title chart-{key}-desc">',
        f'<title id="chart-{key}-title">{escape(metric.label)}</title>',
        f'<desc id="chart-{key}-desc">{escape(text)}</desc>',
    ]
    for i, (model, value) in enumerate(values):
        y = GAP + i * (BAR_H + GAP)
        w = 0.0 if value is None else max(0.0, min(1.0, value / scale)) * BAR_W
        parts += [
            f'<text x="0" y="{y + BAR_H - 6}" font-size="13" fill="currentColor">'
            f"{escape(model[:32])}</text>",
            f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" '
            f'fill="{"#2f7d32" if i == 0 else "#1f6feb"}"/>',
            f'<text x="{LABEL_W + BAR_W + 6}" y="{y + BAR_H - 6}" font-size="13" '
            f'fill="currentColor">{escape(fmt(metric, value))}</text>',
        ]
    parts.append("</svg>")
    return Chart(key, metric.label, metric.better, "".join(parts), text)
