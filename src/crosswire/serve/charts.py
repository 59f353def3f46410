"""Charts drawn on the server as SVG: a story's timeline, and its places on a world map.

Nothing is fetched from elsewhere: the map's land is the gazetteer's own places (a dot where a
cell of the map holds any known town), drawn once and cached, so it needs no tile server and no
map data beyond what crosswire already ships.
"""

from __future__ import annotations

import functools
import gzip
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources

from markupsafe import Markup, escape

#: Width and height of the map, one unit per degree of longitude and latitude.
MAP_W, MAP_H = 360, 180
#: Size of a land cell, in degrees.
CELL = 2


@dataclass(frozen=True, slots=True)
class Dated:
    """One article on the timeline."""

    day: date
    label: str
    href: str
    flagged: bool = False
    """The article holds one side of a disagreement."""


def timeline_svg(items: Sequence[Dated], width: int = 720, height: int = 140) -> Markup:
    """Articles per day as bars, each article a segment linking to it; flagged ones in red."""
    if not items:
        return Markup("")
    days = sorted({i.day for i in items})
    first, last = days[0], days[-1]
    span = max(1, (last - first).days)
    left, right, top, bottom = 40, 16, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    per_day = Counter(i.day for i in items)
    most = max(per_day.values())
    unit = plot_h / most
    bar = max(4.0, min(24.0, plot_w / (span + 1) * 0.8))
    parts = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="articles per day">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        'class="axis"/>',
    ]
    stacked: Counter[date] = Counter()
    for i in sorted(items, key=lambda x: (x.day, x.flagged)):
        x = left + (i.day - first).days / span * (plot_w - bar) if span else left + plot_w / 2
        y = top + plot_h - (stacked[i.day] + 1) * unit
        stacked[i.day] += 1
        css = "bar flagged" if i.flagged else "bar"
        parts.append(
            f'<a href="{escape(i.href)}"><rect class="{css}" x="{x:.1f}" y="{y:.1f}" '
            f'width="{bar:.1f}" height="{max(unit - 1, 1):.1f}"><title>{escape(i.day.isoformat())}'
            f" {escape(i.label)}</title></rect></a>"
        )
    for d in (first, last) if span else (first,):
        x = left + (d - first).days / span * (plot_w - bar) if span else left + plot_w / 2
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{height - 8}">{escape(d.isoformat())}</text>'
        )
    parts.append(f'<text class="tick" x="4" y="{top + 10}">{most}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it was escaped


@dataclass(frozen=True, slots=True)
class Pin:
    lat: float
    lon: float
    label: str
    count: int = 1


def _xy(lat: float, lon: float) -> tuple[float, float]:
    return lon + 180.0, 90.0 - lat


@functools.cache
def land_svg() -> str:
    """The background map: one square per cell holding a known place (cached)."""
    data = resources.files("crosswire.read").joinpath("data/places.tsv.gz").read_bytes()
    cells: set[tuple[int, int]] = set()
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    header = lines[0].split("\t")
    lat_i, lon_i = header.index("lat"), header.index("lon")
    for line in lines[1:]:
        fields = line.split("\t")
        try:
            x, y = _xy(float(fields[lat_i]), float(fields[lon_i]))
        except (ValueError, IndexError):
            continue
        cells.add((int(x // CELL), int(y // CELL)))
    path = "".join(f"M{cx * CELL} {cy * CELL}h{CELL}v{CELL}h-{CELL}z" for cx, cy in sorted(cells))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_W} {MAP_H}">'
        f'<path fill="#d9dee5" d="{path}"/></svg>'
    )


def map_svg(pins: Sequence[Pin]) -> Markup:
    """The story's places as pins over the background map (``/static/land.svg``)."""
    if not pins:
        return Markup("")
    parts = [
        f'<svg class="map" viewBox="0 0 {MAP_W} {MAP_H}" role="img" aria-label="places">',
        f'<image href="/map/land.svg" x="0" y="0" width="{MAP_W}" height="{MAP_H}"/>',
    ]
    for p in pins:
        x, y = _xy(p.lat, p.lon)
        r = min(1.5 + p.count * 0.5, 5.0)
        parts.append(
            f'<circle class="pin" cx="{x:.2f}" cy="{y:.2f}" r="{r:.1f}"><title>'
            f"{escape(p.label)} ({p.count})</title></circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it was escaped
