"""The world map of the regional balance page, drawn from the bundled geometry only.

``data/geo/countries.geo.json`` gives country shapes (ISO3 ids) and ``data/geo/points.csv``
a point for each country the shapes lack (small island states such as Mauritius), so those
show as markers. A country in neither is returned by :func:`world_map` to be listed under
the map. Nothing is fetched from the internet: the map is a Vega-Lite chart with inline data
and no tiles.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import altair as alt
import pandas as pd

from views.fmt import chart_unit

__all__ = ["GEO_DIR", "MEASURES", "CHOICES", "features", "points", "world_map"]

GEO_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"

#: Columns of :func:`graph.analyses.regional.country_picture` the map can show: title, legend
#: (money's unit, ``{unit}``, is USD thousands or, when a country's money reaches a billion,
#: millions: :func:`views.fmt.chart_unit`).
MEASURES = {
    "projects": ("Projects targeting the country", "Projects"),
    "partners": ("Partners based in the country", "Partners"),
    "money_usd": ("Money for projects there (USD {unit}, known amounts)", "Money, USD {unit}"),
    "events": ("Events held there or drawing people from it", "Events"),
}
#: How each measure reads as a choice, before the data gives money its unit.
CHOICES = {
    "projects": "Projects",
    "partners": "Partners",
    "money_usd": "Money (USD)",
    "events": "Events",
}


def _signed_area(ring) -> float:
    return (
        sum(
            x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=False)
        )
        / 2
    )


def _rewind(polygon: list) -> list:
    """Rings in the order Vega's d3-geo expects: outer ring clockwise, holes anticlockwise.

    A ring the other way round is drawn as "everything but this shape" (Bermuda, in the
    bundled file, would otherwise fill the whole globe).
    """
    out = []
    for i, ring in enumerate(polygon):
        clockwise = _signed_area(ring) < 0
        want_clockwise = i == 0
        out.append(ring if clockwise == want_clockwise else list(reversed(ring)))
    return out


@cache
def features() -> tuple[dict, ...]:
    """The country shapes (GeoJSON features), each with ``id`` = ISO3, rings rewound."""
    data = json.loads((GEO_DIR / "countries.geo.json").read_text(encoding="utf-8"))
    out = []
    for f in data["features"]:
        g = f["geometry"]
        if g["type"] == "Polygon":
            geom = {"type": "Polygon", "coordinates": _rewind(g["coordinates"])}
        else:
            geom = {"type": "MultiPolygon", "coordinates": [_rewind(p) for p in g["coordinates"]]}
        out.append(
            {
                "type": "Feature",
                "id": f.get("id"),
                "geometry": geom,
                "properties": f.get("properties", {}),
            }
        )
    return tuple(out)


@cache
def shape_ids() -> frozenset:
    """ISO3 codes the shapes cover."""
    return frozenset(f.get("id") for f in features())


@cache
def points() -> pd.DataFrame:
    """A point per country the shapes lack: iso3, name, lat, lon."""
    return pd.read_csv(GEO_DIR / "points.csv", keep_default_na=False)


def world_map(metrics: pd.DataFrame, measure: str, *, height: int = 430):
    """A choropleth of one measure per country, with markers for small states.

    Parameters
    ----------
    metrics : DataFrame
        :func:`graph.analyses.regional.country_picture`: ``country`` (ISO3, None for the
        unassigned row, which is left out), ``name`` and the measure column
        (``money_usd`` in USD, shown in thousands).
    measure : str
        A key of :data:`MEASURES`.

    Returns
    -------
    chart : altair.Chart
    unmapped : DataFrame
        Rows of ``metrics`` with a non-zero measure that neither shapes nor points place.
    markers : DataFrame
        Rows drawn as markers.
    """
    title, short = MEASURES[measure]
    placed = metrics[metrics["country"].notna()]
    df = placed[["country", "name", measure]].rename(columns={"country": "iso3", "name": "country"})
    df["value"] = df[measure].astype(float) / (1000.0 if measure == "money_usd" else 1.0)
    if measure == "money_usd":  # USD thousands, or millions from a billion (as the tables)
        per, unit = chart_unit(df["value"])
        df["value"] = df["value"] / per
        title, short = title.format(unit=unit), short.format(unit=unit)
    df = df[["iso3", "country", "value"]]
    active = df[df["value"] > 0]
    in_shapes = active["iso3"].isin(shape_ids())
    pts = points()
    markers = active[~in_shapes].merge(pts[["iso3", "lat", "lon"]], on="iso3", how="inner")
    unmapped = active[~in_shapes & ~active["iso3"].isin(pts["iso3"])]

    shapes = [
        {"type": "Feature", "id": f.get("id"), "geometry": f["geometry"], "properties": {}}
        for f in features()
    ]
    lookup = df.rename(columns={"iso3": "id"})
    vmax = float(active["value"].max()) if len(active) else 1.0
    scale = alt.Scale(scheme="blues", domain=[0, vmax])
    base = (
        alt.Chart(alt.Data(values=shapes))
        .mark_geoshape(stroke="white", strokeWidth=0.4)
        .transform_lookup(lookup="id", from_=alt.LookupData(lookup, "id", ["country", "value"]))
        .transform_calculate(value="datum.value ? datum.value : 0")
        .encode(
            color=alt.condition(
                "datum.value > 0",
                alt.Color(
                    "value:Q", scale=scale, title=short, legend=alt.Legend(orient="bottom-left")
                ),
                alt.value("#e9ecef"),
            ),
            tooltip=[
                alt.Tooltip("country:N", title="Country"),
                alt.Tooltip(
                    "value:Q", title=short, format=",.1f" if measure == "money_usd" else ",d"
                ),
            ],
        )
    )
    layers = [base]
    if len(markers):
        dots = (
            alt.Chart(markers)
            .mark_circle(size=140, stroke="#333", strokeWidth=1, opacity=0.95)
            .encode(
                longitude="lon:Q",
                latitude="lat:Q",
                color=alt.Color("value:Q", scale=scale, legend=None),
                tooltip=[
                    alt.Tooltip("country:N", title="Country (marker)"),
                    alt.Tooltip(
                        "value:Q", title=short, format=",.1f" if measure == "money_usd" else ",d"
                    ),
                ],
            )
        )
        layers.append(dots)
    chart = (
        alt.layer(*layers)
        .project(type="equalEarth")
        .properties(height=height, title=title)
        .configure_view(stroke=None)
    )
    return chart, unmapped, markers
