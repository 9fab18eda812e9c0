"""Walking distances on a street network: the one distance of the app where a network is loaded.

A :class:`WalkingNetwork` is built from lines (lists of ``(lng, lat)`` vertices, WGS-84). Lines
join wherever they share a vertex, interior vertices included; vertices are merged after
rounding to 1e-7 degrees (about a centimetre), so two lines drawn to the same corner join even
when their coordinates differ in the last digits. Lines that merely cross, with no shared vertex
(a bridge over a street), do not join. Every edge is as long as the haversine distance of its
two vertices (:func:`siting.geometry.haversine_m`, the one distance function).

A point joins the network at the nearest point of the nearest segment; its *connector* is the
haversine distance to that point. The walking distance between a point and a site is::

    connector + network path + connector

where the path runs from the point's joining place, through either end of its segment, to the
site's joining place; two places on the same segment are also joined directly along it. The
nearest segment is found on a local equirectangular projection centred on the network
(:class:`siting.geometry.LocalProjection`), which is faithful at the scale of a city.

:func:`pairs_within` finds every point-site pair within a distance: one Dijkstra search per site,
started from a virtual node joined to both ends of the site's segment and cut off at the
distance (``scipy.sparse.csgraph.dijkstra(indices=..., limit=...)``), run for a batch of sites at
a time; only the pairs within reach are kept, so memory grows with them and with the batch, not
with points × sites. ``bench/bench_walk_times.py`` measures it against one full Dijkstra per site
and against igraph.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from .geometry import MAX_PAIRS, LocalProjection, TooManyPairs, haversine_m

# Vertices closer than this (degrees, after rounding) are one vertex: about 1 cm.
VERTEX_PRECISION_DEG = 1e-7
_SCALE = round(1 / VERTEX_PRECISION_DEG)

# Entries of the dense distances one batch of Dijkstra searches returns (8 bytes each).
BATCH_ENTRIES = 4_000_000

GEOJSON_SUFFIXES = (".geojson", ".json")
OSM_SUFFIXES = (".osm", ".osm.pbf", ".pbf", ".osm.gz", ".osm.bz2")


class NetworkError(ValueError):
    """A network that cannot be built or read; the message is one line saying why and where."""


class Snap(NamedTuple):
    """Where points join the network, one entry per point."""

    edge: NDArray  # index of the nearest segment
    offset_m: NDArray  # metres along the segment from its first node (edge_u) to the join
    connector_m: NDArray  # metres from the point to the join
    lat: NDArray  # the joining place
    lng: NDArray


class Pairs(NamedTuple):
    """Point-site pairs within reach, sorted by point then site."""

    point: NDArray  # index into the points
    site: NDArray  # index into the sites
    metres: NDArray  # walking distance


@dataclass(frozen=True, eq=False)
class WalkingNetwork:
    """Nodes (merged vertices) and the undirected segments between them.

    ``edge_u < edge_v`` for every edge; each pair of nodes has at most one edge, the shortest
    of the segments drawn between them.
    """

    lat: NDArray
    lng: NDArray
    edge_u: NDArray
    edge_v: NDArray
    edge_m: NDArray

    @classmethod
    def from_lines(cls, lines: Iterable[Sequence[Sequence[float]]]) -> WalkingNetwork:
        """A network from lines of ``(lng, lat)`` vertices (a third value, height, is ignored).

        Raises :class:`NetworkError` for a line of fewer than two vertices, a coordinate that is
        not a finite number in range, or no segment of positive length at all.
        """
        chunks: list[NDArray] = []
        for number, line in enumerate(lines):
            try:
                if isinstance(line, np.ndarray) and line.ndim == 2 and line.shape[1] >= 2:
                    vertices = np.asarray(line[:, :2], dtype=float)
                else:
                    vertices = np.array([(v[0], v[1]) for v in line], dtype=float).reshape(-1, 2)
            except (TypeError, IndexError, KeyError):
                raise NetworkError(
                    f"line {number}: each vertex must be a (longitude, latitude) pair"
                ) from None
            except (ValueError, OverflowError):
                raise NetworkError(
                    f"line {number}: a vertex holds a value that is no number"
                ) from None
            if len(vertices) < 2:
                raise NetworkError(f"line {number}: a line needs at least two vertices")
            chunks.append(vertices)
        if not chunks:
            raise NetworkError("the network has no lines")
        sizes = np.array([len(chunk) for chunk in chunks], dtype=np.int64)
        coords = np.concatenate(chunks)
        _check_coordinates(coords[:, 1], coords[:, 0], np.repeat(np.arange(sizes.size), sizes))
        return cls._from_vertices(coords, sizes)

    @classmethod
    def _from_vertices(cls, coords: NDArray, sizes: NDArray) -> WalkingNetwork:
        key = np.round(coords * _SCALE).astype(np.int64)
        # One integer per rounded vertex: longitude and latitude codes side by side.
        code = (key[:, 0] + 180 * _SCALE) * (180 * _SCALE + 1) + (key[:, 1] + 90 * _SCALE)
        codes, node = np.unique(code, return_inverse=True)
        node = node.ravel()
        lng = (codes // (180 * _SCALE + 1) - 180 * _SCALE) / _SCALE
        lat = (codes % (180 * _SCALE + 1) - 90 * _SCALE) / _SCALE
        # Consecutive vertices of one line make a segment; the last vertex of a line does not
        # continue into the next line.
        last = np.cumsum(sizes) - 1
        follows = np.ones(node.size, dtype=bool)
        follows[last] = False
        a, b = node[:-1][follows[:-1]], node[1:][follows[:-1]]
        u, v = np.minimum(a, b), np.maximum(a, b)
        keep = u != v
        u, v = u[keep], v[keep]
        metres = haversine_m(lat[u], lng[u], lat[v], lng[v])
        # Between two nodes, keep the shortest segment (lines drawn twice, or overlapping).
        order = np.lexsort((metres, v, u))
        u, v, metres = u[order], v[order], metres[order]
        first = np.ones(u.size, dtype=bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        u, v, metres = u[first], v[first], metres[first]
        if u.size == 0:
            raise NetworkError("the network has no segment of positive length")
        # Only nodes on a segment are kept, numbered anew.
        used, renumber = np.unique(np.concatenate([u, v]), return_inverse=True)
        renumber = renumber.ravel()
        return cls(
            lat=lat[used],
            lng=lng[used],
            edge_u=renumber[: u.size].astype(np.int64),
            edge_v=renumber[u.size :].astype(np.int64),
            edge_m=metres,
        )

    @property
    def node_count(self) -> int:
        return int(self.lat.size)

    @property
    def edge_count(self) -> int:
        return int(self.edge_m.size)

    @property
    def length_m(self) -> float:
        """Total length of the segments in metres."""
        return float(self.edge_m.sum())

    @cached_property
    def graph(self) -> csr_array:
        """The symmetric node × node matrix of segment lengths."""
        n = self.node_count
        rows = np.concatenate([self.edge_u, self.edge_v])
        cols = np.concatenate([self.edge_v, self.edge_u])
        return csr_array((np.concatenate([self.edge_m, self.edge_m]), (rows, cols)), shape=(n, n))

    @cached_property
    def _projection(self) -> LocalProjection:
        return LocalProjection.around(self.lat, self.lng)

    @cached_property
    def _xy(self) -> NDArray:
        return self._projection.to_xy(self.lat, self.lng)

    @cached_property
    def _tree(self) -> shapely.STRtree:
        xy = self._xy
        return shapely.STRtree(shapely.linestrings(np.stack([xy[self.edge_u], xy[self.edge_v]], 1)))

    def snap(self, lat: ArrayLike, lng: ArrayLike) -> Snap:
        """Where each point joins the network: the nearest point of the nearest segment."""
        lat, lng = _coordinates(lat, lng)
        if lat.size == 0:
            empty = np.zeros(0)
            return Snap(np.zeros(0, dtype=np.int64), empty, empty, empty, empty)
        p = self._projection.to_xy(lat, lng)
        found = self._tree.query_nearest(shapely.points(p), all_matches=False)
        edge = np.empty(lat.size, dtype=np.int64)
        edge[found[0]] = found[1]
        u, v = self.edge_u[edge], self.edge_v[edge]
        a, b = self._xy[u], self._xy[v]
        ab = b - a
        t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.einsum("ij,ij->i", ab, ab), 0.0, 1.0)
        # The projection is linear in latitude and longitude, so the joining place is the same
        # fraction of the way in degrees.
        jlat = self.lat[u] + t * (self.lat[v] - self.lat[u])
        jlng = self.lng[u] + t * (self.lng[v] - self.lng[u])
        return Snap(edge, t * self.edge_m[edge], haversine_m(lat, lng, jlat, jlng), jlat, jlng)


def _coordinates(lat: ArrayLike, lng: ArrayLike) -> tuple[NDArray, NDArray]:
    lat = np.asarray(lat, dtype=float).ravel()
    lng = np.asarray(lng, dtype=float).ravel()
    if lat.size != lng.size:
        raise ValueError("as many latitudes as longitudes are needed")
    _check_coordinates(lat, lng, np.arange(lat.size), what="point")
    return lat, lng


def _check_coordinates(lat: NDArray, lng: NDArray, where: NDArray, what: str = "line") -> None:
    for values, name, limit in ((lat, "latitude", 90), (lng, "longitude", 180)):
        bad = np.flatnonzero(~(np.abs(values) <= limit))  # also catches NaN
        if bad.size:
            i = bad[0]
            raise NetworkError(
                f"{what} {where[i]}: {name} {float(values[i])!r} is not a number in"
                f" [-{limit}, {limit}]"
            )


def _shortest_from(graph: csr_array, sources: NDArray, limit: float) -> NDArray:
    """Distances from each source to every node, ``inf`` beyond ``limit`` (the bench swaps
    this for other libraries' searches)."""
    return dijkstra(graph, directed=True, indices=sources, limit=limit)


def pairs_within(
    network: WalkingNetwork,
    point_lat: ArrayLike,
    point_lng: ArrayLike,
    site_lat: ArrayLike,
    site_lng: ArrayLike,
    max_m: float,
    *,
    batch_entries: int = BATCH_ENTRIES,
) -> Pairs:
    """Every point-site pair whose walking distance is at most ``max_m`` metres.

    Raises :class:`TooManyPairs` past :data:`siting.geometry.MAX_PAIRS` pairs and ValueError for
    coordinates out of range or a distance that is not a finite number ≥ 0.
    """
    try:
        max_m = float(max_m)
    except (TypeError, ValueError, OverflowError):
        max_m = math.nan
    if not (math.isfinite(max_m) and max_m >= 0):
        raise ValueError("the distance must be a finite number of metres ≥ 0")
    points = network.snap(point_lat, point_lng)
    sites = network.snap(site_lat, site_lng)
    n_points, n_sites, n = points.edge.size, sites.edge.size, network.node_count
    found: list[tuple[NDArray, NDArray, NDArray]] = []
    if n_points == 0 or n_sites == 0:
        return _sorted(found)
    attach = _Attachments(network, points)
    graph = _site_graph(network, sites)
    # Sites with short connectors together, so each batch's cut-off is tight.
    order = np.argsort(sites.connector_m, kind="stable")
    order = order[sites.connector_m[order] <= max_m]
    batch = max(1, batch_entries // (n + n_sites))
    kept = 0
    for lo in range(0, order.size, batch):
        chosen = order[lo : lo + batch]
        limit = max_m - sites.connector_m[chosen[0]] - attach.nearest_m
        candidates = [attach.same_segment(chosen, sites)]
        if limit >= 0:
            # A hair of slack so that rounding in the sum cannot drop a pair; the exact test
            # against max_m follows.
            dist = _shortest_from(graph, n + chosen, limit * (1 + 1e-12) + 1e-9)[:, :n]
            row, node = np.nonzero(dist <= limit * (1 + 1e-12) + 1e-9)
            candidates.append(attach.through_nodes(chosen, row, node, dist[row, node], sites))
        site, point, metres = (np.concatenate(c) for c in zip(*candidates, strict=True))
        within = metres <= max_m
        site, point, metres = _shortest_per_pair(
            site[within], point[within], metres[within], n_points
        )
        kept += site.size
        if kept > MAX_PAIRS:
            raise TooManyPairs(
                f"more than {MAX_PAIRS:,} point-site pairs lie within {max_m:g} m of each"
                " other; use a smaller distance or fewer points"
            )
        found.append((point, site, metres))
    return _sorted(found)


def _site_graph(network: WalkingNetwork, sites: Snap) -> csr_array:
    """The network plus one node per site (numbered after the network's nodes), with an edge
    from it to each end of its segment: a search from that node starts at the site's joining
    place. The edges point one way only, so no path passes through another site's node."""
    n, m = network.node_count, sites.edge.size
    base = network.graph.tocoo()
    length = network.edge_m[sites.edge]
    virtual = n + np.arange(m)
    rows = np.concatenate([base.row, virtual, virtual])
    cols = np.concatenate([base.col, network.edge_u[sites.edge], network.edge_v[sites.edge]])
    # A zero length (a site on a node) stays an explicit entry: csgraph reads it as an edge.
    data = np.concatenate([base.data, sites.offset_m, length - sites.offset_m])
    return csr_array((data, (rows, cols)), shape=(n + m, n + m))


class _Attachments:
    """Each point hangs from both ends of its segment, at the walk to that end plus its
    connector; looked up by node (and by segment for the direct walk along it)."""

    def __init__(self, network: WalkingNetwork, points: Snap) -> None:
        count = points.edge.size
        length = network.edge_m[points.edge]
        node = np.concatenate([network.edge_u[points.edge], network.edge_v[points.edge]])
        extra = np.concatenate([points.offset_m, length - points.offset_m])
        extra = extra + np.tile(points.connector_m, 2)
        order = np.argsort(node, kind="stable")
        self.point = np.tile(np.arange(count), 2)[order]
        self.extra = extra[order]
        self.start = _starts(node[order], network.node_count)
        self.nearest_m = float(extra.min())
        self.points = points
        by_edge = np.argsort(points.edge, kind="stable")
        self.edge_point = by_edge
        self.edge_start = _starts(points.edge[by_edge], network.edge_count)

    def through_nodes(self, chosen, row, node, dist, sites: Snap):
        """Candidates (site, point, metres) from sites' distances to nodes."""
        slot, which = _expand(self.start, node)
        row = row[which]
        metres = dist[which] + self.extra[slot] + sites.connector_m[chosen[row]]
        return chosen[row], self.point[slot], metres

    def same_segment(self, chosen, sites: Snap):
        """Candidates (site, point, metres) walking straight along a shared segment."""
        slot, which = _expand(self.edge_start, sites.edge[chosen])
        site = chosen[which]
        point = self.edge_point[slot]
        metres = (
            np.abs(self.points.offset_m[point] - sites.offset_m[site])
            + self.points.connector_m[point]
            + sites.connector_m[site]
        )
        return site, point, metres


def _starts(sorted_keys: NDArray, size: int) -> NDArray:
    """``start[k]:start[k + 1]`` is the run of ``k`` in ``sorted_keys``."""
    start = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(sorted_keys, minlength=size), out=start[1:])
    return start


def _expand(start: NDArray, keys: NDArray) -> tuple[NDArray, NDArray]:
    """For each key, every slot of its run: (slots, index of the key each slot came from)."""
    lo, counts = start[keys], start[keys + 1] - start[keys]
    which = np.repeat(np.arange(keys.size), counts)
    before = np.cumsum(counts) - counts
    return lo[which] + np.arange(which.size) - before[which], which


def _shortest_per_pair(site, point, metres, n_points: int):
    """The shortest of the candidates for each (site, point) pair."""
    if site.size == 0:
        return site, point, metres
    key = site * n_points + point
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    return site[order][first], point[order][first], np.minimum.reduceat(metres[order], first)


def _sorted(found) -> Pairs:
    if not found:
        return Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    point, site, metres = (np.concatenate(x) for x in zip(*found, strict=True))
    order = np.lexsort((site, point))
    return Pairs(point[order], site[order], metres[order])


# --- Reading ---------------------------------------------------------------------------------


def load_network(path: str | Path) -> WalkingNetwork:
    """A network from a GeoJSON file (``.geojson``, ``.json``) or an OpenStreetMap extract
    (``.osm``, ``.osm.pbf``; see :mod:`siting.osm` for the ways kept)."""
    path = Path(path)
    name = path.name.lower()
    if name.endswith(GEOJSON_SUFFIXES):
        coords, sizes = _read_geojson(path)
        try:
            return WalkingNetwork._from_vertices(coords, sizes)
        except NetworkError as exc:
            raise NetworkError(f"{path}: {exc}") from None
    if not name.endswith(OSM_SUFFIXES):
        raise NetworkError(
            f"{path}: a network is a GeoJSON file (.geojson, .json) or an OpenStreetMap"
            " extract (.osm, .osm.pbf)"
        )
    from .osm import read_osm_lines  # osmium is loaded only for OSM files

    lines = read_osm_lines(path)
    try:
        return WalkingNetwork.from_lines(lines)
    except NetworkError as exc:
        raise NetworkError(f"{path}: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise NetworkError(f"invalid JSON: {name} is not a JSON number")


def read_geojson_lines(path: str | Path) -> list[NDArray]:
    """The lines of a GeoJSON FeatureCollection, each an array of ``(lng, lat)`` rows: every
    LineString, and every part of every MultiLineString. Features of other types (points,
    polygons) are skipped."""
    coords, sizes = _read_geojson(path)
    return np.split(coords, np.cumsum(sizes)[:-1])


def _read_geojson(path: str | Path) -> tuple[NDArray, NDArray]:
    """The vertices of every line of a GeoJSON file, one after the other, and how many each
    line has."""
    path = Path(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"), parse_constant=_reject_constant)
    except FileNotFoundError:
        raise NetworkError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise NetworkError(f"{path}: is a directory") from None
    except OSError as exc:
        raise NetworkError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise NetworkError(f"{path}: is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise NetworkError(
            f"{path}: invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise NetworkError(f"{path}: invalid JSON: nested too deeply") from None
    except NetworkError as exc:
        raise NetworkError(f"{path}: {exc}") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise NetworkError(f"{path}: expected a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise NetworkError(f"{path}: the FeatureCollection has no list of features")
    lines: list[list] = []
    wheres: list[str] = []
    for i, feature in enumerate(features):
        where = f"{path}: features[{i}]"
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict):
            continue  # a feature without geometry adds nothing to walk on
        kind, coordinates = geometry.get("type"), geometry.get("coordinates")
        if kind == "LineString":
            parts = [(coordinates, f"{where}.geometry.coordinates")]
        elif kind == "MultiLineString":
            if not isinstance(coordinates, list):
                raise NetworkError(f"{where}: a MultiLineString's coordinates must be a list")
            parts = [(c, f"{where}.geometry.coordinates[{k}]") for k, c in enumerate(coordinates)]
        else:
            continue
        for line, at in parts:
            if not isinstance(line, list) or len(line) < 2:
                raise NetworkError(f"{at}: a line needs a list of at least two positions")
            lines.append(line)
            wheres.append(at)
    if not lines:
        raise NetworkError(f"{path}: no LineString or MultiLineString features")
    sizes = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    # One pass over all positions in plain Python (a list, two numbers that are no booleans),
    # one conversion and one range test in numpy; only a file that fails them is gone through
    # position by position, to name the first bad one.
    flat = [
        (p[0], p[1])
        for line in lines
        for p in line
        if type(p) is list and len(p) >= 2 and type(p[0]) in _NUMBER and type(p[1]) in _NUMBER
    ]
    if len(flat) == sizes.sum():
        try:
            coords = np.array(flat, dtype=float)
        except OverflowError:  # an integer beyond any float
            coords = None
        if (
            coords is not None
            and ((np.abs(coords[:, 0]) <= 180) & (np.abs(coords[:, 1]) <= 90)).all()
        ):
            return coords, sizes
    for line, at in zip(lines, wheres, strict=True):
        _checked_positions(line, at)
    raise NetworkError(f"{path}: a position is not [longitude, latitude]")  # not reached


_NUMBER = (int, float)


def _checked_positions(coordinates: list, where: str) -> list[tuple[float, float]]:
    """The positions of a line, checked one by one: the slow path, which names the first bad
    position."""
    line = []
    for k, position in enumerate(coordinates):
        if not isinstance(position, list) or len(position) < 2:
            raise NetworkError(f"{where}[{k}]: a position is [longitude, latitude]")
        lng, lat = (_finite(value, f"{where}[{k}]") for value in position[:2])
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise NetworkError(
                f"{where}[{k}]: [{lng!r}, {lat!r}] is not [longitude, latitude] in range"
            )
        line.append((lng, lat))
    return line


def _finite(value: Any, where: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if math.isfinite(number):
            return number
    text = repr(value)
    raise NetworkError(f"{where}: {text[:40]} is not a finite number")
