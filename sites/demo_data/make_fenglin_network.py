"""Write fenglin_network.geojson: an illustrative walking network of Fenglin street.

Run ``python sites/demo_data/make_fenglin_network.py`` after changing it; the output is
committed and loaded by ``load_demo`` (sites.boundary_demo). Pure Python and shapely, no
Django.

The main streets are drawn straight, by name, at roughly where they run (east–west 中山南二路,
零陵路, 斜土路, 肇嘉浜路; north–south 宛平南路, 医学院路, 东安路, 小木桥路, 大木桥路; 枫林路
diagonally past the elderly centre and the canteen that bear its name), with a grid of lanes
about every 150 m between them, all clipped to the street's outline (fenglin_street.geojson).
The lines are split wherever they cross (shapely's noding), so that the pieces share their end
vertices and the network joins there. Approximate: for the demo only.
"""

import json
from pathlib import Path

import shapely
from shapely.geometry import LineString, shape

HERE = Path(__file__).resolve().parent
OUTLINE = shape(json.loads((HERE / "fenglin_street.geojson").read_text("utf-8"))["geometry"])

# name, latitude (east–west) or longitude (north–south), and the span along the other axis.
EAST_WEST = [
    ("中山南二路", 31.1860, (121.4420, 121.4690)),
    ("零陵路", 31.1920, (121.4420, 121.4690)),
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
# Diagonal streets: name and end points (longitude, latitude).
DIAGONAL = [("枫林路", (121.4650, 31.18902), (121.4530, 31.1989))]
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


def lines() -> list[tuple[str, str, LineString]]:
    """Every street and lane as (name, kind, line), clipped to the outline."""
    min_lng, min_lat, max_lng, max_lat = OUTLINE.bounds
    drawn = [(n, "main", LineString([(a, lat), (b, lat)])) for n, lat, (a, b) in EAST_WEST]
    drawn += [(n, "main", LineString([(lng, a), (lng, b)])) for n, lng, (a, b) in NORTH_SOUTH]
    drawn += [(n, "main", LineString([a, b])) for n, a, b in DIAGONAL]
    drawn += [
        (LANE_NAME, "lane", LineString([(min_lng, lat), (max_lng, lat)]))
        for lat in _lanes([m[1] for m in EAST_WEST], min_lat, max_lat, LANE_LAT_STEP)
    ]
    drawn += [
        (LANE_NAME, "lane", LineString([(lng, min_lat), (lng, max_lat)]))
        for lng in _lanes([m[1] for m in NORTH_SOUTH], min_lng, max_lng, LANE_LNG_STEP)
    ]
    return [(name, kind, line.intersection(OUTLINE)) for name, kind, line in drawn]


def features() -> list[dict]:
    """One feature per block: the lines noded together (split at every crossing), each piece
    named after the line it lies on (a main street before a lane)."""
    named = lines()
    pieces = shapely.unary_union([line for _name, _kind, line in named])
    tree = shapely.STRtree([line for _name, _kind, line in named])
    out = []
    for piece in pieces.geoms:
        middle = piece.interpolate(0.5, normalized=True)
        on = [int(i) for i in tree.query(middle.buffer(1e-9), predicate="intersects")]
        if not on:
            continue
        name, kind, _line = min((named[i] for i in on), key=lambda item: item[1] != "main")
        coords = [[round(x, 6), round(y, 6)] for x, y in piece.coords]
        out.append(
            {
                "type": "Feature",
                "properties": {"name": name, "kind": kind},
                "geometry": {"type": "LineString", "coordinates": coords},
            }
        )
    # Stubs left at the outline's corners, joined to nothing, would float apart: keep the
    # pieces of the largest connected part.
    return _connected(out)


def _connected(features: list[dict]) -> list[dict]:
    parent: dict = {}

    def find(v):
        while parent.setdefault(v, v) != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for f in features:
        coords = f["geometry"]["coordinates"]
        for a, b in zip(coords, coords[1:], strict=False):
            parent[find(tuple(a))] = find(tuple(b))
    roots = [find(tuple(f["geometry"]["coordinates"][0])) for f in features]
    largest = max(set(roots), key=roots.count)
    return [f for f, root in zip(features, roots, strict=True) if root == largest]


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
