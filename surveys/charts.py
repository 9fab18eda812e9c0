"""Distribution charts of the results page as server-rendered SVG: no chart library, no script,
no style attribute (the stylesheet colours the classes), so they print, work without JS and keep
the strict Content-Security-Policy. Each chart has a <title> and <desc>, and the page shows the
same figures in a table beside it."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 320
BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 96
COUNT_WIDTH = 56


@dataclass(frozen=True)
class Bar:
    label: str
    count: int


def bar_chart(bars: list[Bar], *, title: str, description: str, chart_id: str) -> SafeString:
    """Horizontal bars, one per label, their length proportional to the count (the longest fills
    the width); the count is written at the end of each bar."""
    if not bars:
        return SafeString("")
    top = max(b.count for b in bars) or 1
    span = WIDTH - LABEL_WIDTH - COUNT_WIDTH
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    rows = []
    for i, bar in enumerate(bars):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = round(span * bar.count / top, 1)
        middle = y + BAR_HEIGHT / 2
        rows.append(
            (
                LABEL_WIDTH - 6,
                middle,
                bar.label,
                LABEL_WIDTH,
                y,
                length,
                BAR_HEIGHT,
                LABEL_WIDTH + length + 4,
                middle,
                bar.count,
            )
        )
    body = format_html_join(
        "",
        '<text class="chart-label" x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}'
        '</text><rect class="chart-bar" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="chart-count" x="{}" y="{}" dominant-baseline="middle">{}</text>',
        rows,
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        body,
    )


def _plain(value: Decimal | float) -> str:
    value = Decimal(str(value)).normalize()
    return f"{value:f}"


def number_bins(counts: dict[Decimal, int], *, max_bins: int = 10) -> list[Bar]:
    """A number question's answers as at most `max_bins` bars: one per value when there are
    few distinct values (counts: 0, 1, 2 … visits a week), else equal ranges, labelled "a–b"."""
    if not counts:
        return []
    values = sorted(counts)
    whole = all(v == v.to_integral_value() for v in values)
    low, high = values[0], values[-1]
    if low == high:
        return [Bar(_plain(low), counts[low])]
    if whole and high - low < max_bins:
        return [Bar(_plain(v), counts.get(v, 0)) for v in _whole_range(low, high)]
    width = (high - low) / max_bins
    if whole:
        width = Decimal(int(width) + 1)
    bins = []
    start = low
    while start <= high and len(bins) < max_bins + 1:
        end = start + width
        last = end > high
        n = sum(c for v, c in counts.items() if start <= v < end or (last and v == end))
        label = f"{_plain(start)}–{_plain(end - 1 if whole else end)}"
        bins.append(Bar(label, n))
        start = end
    return bins


def _whole_range(low: Decimal, high: Decimal) -> list[Decimal]:
    return [Decimal(v) for v in range(int(low), int(high) + 1)]
