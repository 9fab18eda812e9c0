"""Write fenglin_network.geojson: an illustrative walking network of Fenglin street.

Run ``python sites/demo_data/make_fenglin_network.py`` after changing it; the output is
committed and loaded by ``load_demo`` (sites.boundary_demo). Pure Python and shapely, no
Django.

The main streets are drawn straight, by name, at roughly where they run (east–west 中山南二路,
零陵路, 枫林路, 斜土路, 肇嘉浜路; north–south 宛平南路, 医学院路, 东安路, 小木桥路, 大木桥路), with
a grid of lanes about every 150 m between them, all clipped to the street's outline
(fenglin_street.geojson). Every line is split where another crosses it, so that the pieces
share their end vertices and the network joins there. Approximate: for the demo only.
"""

import json
from pathlib import Path

from shapely.geometry import LineString, shape

HERE = Path(__file__).resolve().parent
OUTLINE = shape(json.loads((HERE / "fenglin_street.geojson").read_text("utf-8"))["geometry"])

# name, latitude (east–west) or longitude (north–south), and the span along the other axis.
EAST_WEST = [
    ("中山南二路", 31.1860, (121.4420, 121.4690)),
    ("零陵路", 31.1920, (121.4420, 121.4690)),
    ("枫林路", 31.1945, (121.4515, 121.4690)),
    ("斜土路", 31.1970, (121.4420, 121.4690)),
    ("肇嘉浜路", 31.2010, (121.4420, 121.4690)),
]
NORTH_SOUTH = [
    ("宛平南路", 121.4470, (31.1820, 31.2040)),
    ("医学院路", 121.4515, (31.1820, 31.2040)),
    ("东安路", 121.4550, (31.1820, 31.2040)),
    ("小木桥路", 121.4580, (31.1820, 31.2040)),
    ("大木桥路", 121.4620, (31.1820, 31.2040)),
]
LANE_LAT_STEP = 0.00135  # about 150 m
LANE_LNG_STEP = 0.00158  # about 150 m at 31.19°N
LANE_CLEARANCE = 0.00045  # no lane within about 45 m of a main street along it
LANE_NAME = "支弄"


def _lanes(mains: list[float], low: float, high: float, step: float) -> list[float]:
    values, value = [], low + step / 2
    while value < high:
        if all(abs(value - main) > LANE_CLEARANCE for main in mains):
            values.append(round(value, 6))
        value += step
    return values


def lines() -> tuple[list, list]:
    """East–west and north–south lines as (name, kind, fixed coordinate, pieces), each piece
    the (low, high) span of the line inside the outline."""
    min_lng, min_lat, max_lng, max_lat = OUTLINE.bounds
    ew = [(name, "main", lat, span) for name, lat, span in EAST_WEST]
    ew += [
        (LANE_NAME, "lane", lat, (min_lng, max_lng))
        for lat in _lanes([m[1] for m in EAST_WEST], min_lat, max_lat, LANE_LAT_STEP)
    ]
    ns = [(name, "main", lng, span) for name, lng, span in NORTH_SOUTH]
    ns += [
        (LANE_NAME, "lane", lng, (min_lat, max_lat))
        for lng in _lanes([m[1] for m in NORTH_SOUTH], min_lng, max_lng, LANE_LNG_STEP)
    ]

    def clip(fixed, span, horizontal):
        a, b = span
        line = LineString([(a, fixed), (b, fixed)] if horizontal else [(fixed, a), (fixed, b)])
        inside = line.intersection(OUTLINE)
        parts = getattr(inside, "geoms", [inside])
        out = []
        for part in parts:
            if part.is_empty or part.geom_type != "LineString":
                continue
            values = [c[0] if horizontal else c[1] for c in part.coords]
            out.append((round(min(values), 6), round(max(values), 6)))
        return out

    ew = [(n, k, f, clip(f, s, True)) for n, k, f, s in ew]
    ns = [(n, k, f, clip(f, s, False)) for n, k, f, s in ns]
    return ew, ns


def features() -> list[dict]:
    """One feature per block: each line cut at every line crossing it."""
    ew, ns = lines()
    out = []
    for mine, others, horizontal in ((ew, ns, True), (ns, ew, False)):
        for name, kind, fixed, pieces in mine:
            for low, high in pieces:
                cuts = {low, high}
                for _name, _kind, other, other_pieces in others:
                    if low < other < high and any(a <= fixed <= b for a, b in other_pieces):
                        cuts.add(other)
                stops = sorted(cuts)
                if len(stops) < 3:
                    continue  # a stub crossing nothing would float apart from the network
                for a, b in zip(stops, stops[1:], strict=False):
                    coords = [[a, fixed], [b, fixed]] if horizontal else [[fixed, a], [fixed, b]]
                    out.append(
                        {
                            "type": "Feature",
                            "properties": {"name": name, "kind": kind},
                            "geometry": {"type": "LineString", "coordinates": coords},
                        }
                    )
    return out


def main() -> None:
    collection = {
        "type": "FeatureCollection",
        "name": "枫林街道示意路网 / Fenglin illustrative walking network",
        "features": features(),
    }
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    # One feature per line: readable diffs.
    text = text.replace(',{"type":"Feature"', ',\n{"type":"Feature"')
    (HERE / "fenglin_network.geojson").write_text(text + "\n", "utf-8")
    print(f"{len(collection['features'])} segments written")


if __name__ == "__main__":
    main()
