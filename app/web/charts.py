"""Charts drawn on the server as inline SVG: no script, no CDN, readable by screen readers and in print."""
from __future__ import annotations

from markupsafe import Markup, escape

SERIES = (("used", "Used"), ("edited", "Edited"), ("declined", "Declined"), ("only_shown", "Shown, not acted on"))
ROW = 26
LABEL_WIDTH = 250
BAR_WIDTH = 420


def _parts(counts: dict) -> dict:
    acted = counts["used"] + counts["edited"] + counts["declined"]
    return {"used": counts["used"], "edited": counts["edited"], "declined": counts["declined"],
            "only_shown": max(0, counts["shown"] - acted)}


def stacked_bars(title: str, rows: list[tuple[str, dict]], chart_id: str) -> Markup:
    """Horizontal stacked bars, one a row: used, edited, declined and shown-but-not-acted-on, to one scale."""
    parts = [(label, _parts(counts)) for label, counts in rows]
    largest = max([sum(p.values()) for _, p in parts] + [1])
    height = ROW * len(parts) + 34
    width = LABEL_WIDTH + BAR_WIDTH + 70
    out = [f'<svg class="chart" id="{escape(chart_id)}" role="img" aria-labelledby="{escape(chart_id)}-t" '
           f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{escape(chart_id)}-t">{escape(title)}</title>']
    x = LABEL_WIDTH
    for i, (key, name) in enumerate(SERIES):        # the legend
        out.append(f'<rect class="bar-{key}" x="{x}" y="4" width="12" height="12"/>'
                   f'<text class="legend" x="{x + 16}" y="14">{escape(name)}</text>')
        x += 16 + 8 * len(name) + 14
    for row, (label, counts) in enumerate(parts):
        y = 28 + row * ROW
        shown = label if len(label) <= 34 else label[:33] + "…"
        out.append(f'<text class="label" x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end">{escape(shown)}</text>')
        x = float(LABEL_WIDTH)
        total = sum(counts.values())
        for key, name in SERIES:
            n = counts[key]
            if n:
                w = BAR_WIDTH * n / largest
                out.append(f'<rect class="bar-{key}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW - 8}">'
                           f'<title>{escape(label)}: {escape(name.lower())} {n}</title></rect>')
                x += w
        out.append(f'<text class="value" x="{x + 6:.1f}" y="{y + 15}">{total}</text>')
    out.append("</svg>")
    return Markup("".join(out))
