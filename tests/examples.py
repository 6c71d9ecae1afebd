"""A small, complete example portfolio for doctests and demonstrations.

The direct donors of 2024-2025 give 500 / 250 / 150 / 100 (USD), the worked example of
the design notes, so the concentration figures can be checked by hand (HHI 3,450). Around
them: a pool that gave 200 in 2023 on behalf of two of them, a donor whose amounts are
unknown, the institute's own carry-over, projects with targets (stated shares and even
splits, a regional bucket), a network, events and partnerships.

Examples
--------
>>> store = example_store()
>>> store.counts()["relationships"]["FUNDS"]
9
>>> sorted(example_records())[:3]
['countries', 'country_regions', 'event_countries']
"""

from __future__ import annotations

from pathlib import Path

from graph.store.batch import build_batch
from graph.store.memory import MemoryStore

__all__ = ["example_records", "example_store", "INSTITUTE", "MINIMAL"]

#: The small record fixture, as an absolute path (doctests use it as ``MINIMAL``).
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal"

#: The recipient at the centre of the example.
INSTITUTE = "inst"

_Q = {"source_id": "ex", "quote": "Example sentence."}


def _rows(cols: str, *rows) -> list[dict]:
    names = cols.split()
    return [dict(zip(names, r, strict=True), **_Q) for r in rows]


def example_records() -> dict[str, list[dict]]:
    """The example as validated records (the shape :func:`graph.store.batch.build_batch` takes)."""
    flow_cols = (
        "flow_id donor_id recipient_id project_id year amount currency amount_usd usd_rate "
        "kind channel pooled flow_type"
    )
    return {
        "sources": [
            {"source_id": "ex", "file": "example", "title": "Example portfolio", "kind": "test"}
        ],
        "regions": _rows(
            "region_id name scheme",
            ("focus:africa", "Africa", "focus"),
            ("focus:eeca", "Eastern Europe and Central Asia", "focus"),
            ("focus:central-asia", "Central Asia", "focus"),
            ("focus:middle-east", "Middle East", "focus"),
            ("unesco:africa", "Africa", "unesco"),
            ("unesco:europe-north-america", "Europe and North America", "unesco"),
            ("unesco:asia-pacific", "Asia and the Pacific", "unesco"),
        ),
        "countries": _rows(
            "iso3 name",
            ("KEN", "Kenya"),
            ("MUS", "Mauritius"),
            ("KAZ", "Kazakhstan"),
            ("RUS", "Russian Federation"),
            ("CHN", "China"),
            ("FRA", "France"),
        ),
        "country_regions": _rows(
            "link_id iso3 region_id",
            *[
                (f"{c}|{r}", c, r)
                for c, r in (
                    ("KEN", "focus:africa"),
                    ("MUS", "focus:africa"),
                    ("KAZ", "focus:eeca"),
                    ("RUS", "focus:eeca"),
                    ("KAZ", "focus:central-asia"),
                    ("KEN", "unesco:africa"),
                    ("MUS", "unesco:africa"),
                    ("RUS", "unesco:europe-north-america"),
                    ("FRA", "unesco:europe-north-america"),
                    ("KAZ", "unesco:asia-pacific"),
                    ("CHN", "unesco:asia-pacific"),
                )
            ],
        ),
        "organizations": _rows(
            "org_id name sector org_type country",
            ("inst", "Education Institute", "un_system", "un_institute", "RUS"),
            ("gov", "Host Government", "government", "ministry", "RUS"),
            ("un", "UN Agency", "un_system", "un_agency", "FRA"),
            ("uni", "Open University", "university", "university", "CHN"),
            ("firm", "EdTech Company", "private_company", "company", "CHN"),
            ("fdn", "Learning Foundation", "foundation", "foundation", "KEN"),
            ("ngo", "Teachers NGO", "ngo", "ngo", "KAZ"),
            ("pool", "Pool of donors", "pool", "donor_pool", None),
        ),
        "projects": _rows(
            "project_id title status start_year end_year budget_usd",
            ("p1", "Coding for Africa", "ongoing", 2023, 2025, None),
            ("p2", "Health education", "extended", 2024, 2026, 600),
            ("p3", "Teacher platform", "new", 2025, 2027, None),
        ),
        "networks": _rows("network_id name scope", ("n1", "Smart Education Network", "global")),
        "events": _rows(
            "event_id title kind year country project_id",
            ("e1", "Workshop in Almaty", "workshop", 2025, "KAZ", "p2"),
            ("e2", "Webinar", "webinar", 2024, None, None),
            ("e3", "Conference in Nairobi", "conference", 2025, "KEN", "p1"),
        ),
        "funding": _rows(
            flow_cols,
            (
                "f1",
                "gov",
                "inst",
                None,
                2024,
                300,
                "USD",
                300,
                1,
                "cash",
                "host_country",
                False,
                None,
            ),
            (
                "f2",
                "gov",
                "inst",
                None,
                2025,
                200,
                "USD",
                200,
                1,
                "cash",
                "host_country",
                False,
                None,
            ),
            (
                "f3",
                "un",
                "inst",
                None,
                2025,
                250,
                "USD",
                250,
                1,
                "cash",
                "regular_budget",
                False,
                None,
            ),
            (
                "f4",
                "uni",
                "inst",
                "p1",
                2025,
                150,
                "USD",
                150,
                1,
                "cash",
                "extrabudgetary",
                False,
                None,
            ),
            (
                "f5",
                "firm",
                "inst",
                "p2",
                2025,
                9000,
                "RUB",
                100,
                0.011111,
                "cash",
                "extrabudgetary",
                False,
                None,
            ),
            (
                "f6",
                "fdn",
                "inst",
                "p2",
                2025,
                None,
                None,
                None,
                None,
                "cash",
                "extrabudgetary",
                False,
                None,
            ),
            ("f7", "inst", "inst", None, 2025, 40, "USD", 40, 1, "cash", "carry_over", False, None),
            (
                "f8",
                "pool",
                "inst",
                None,
                2023,
                200,
                "USD",
                200,
                1,
                "cash",
                "extrabudgetary",
                True,
                None,
            ),
            (
                "f9",
                "fdn",
                "inst",
                "p1",
                2025,
                None,
                None,
                None,
                None,
                "in_kind",
                "in_kind",
                False,
                None,
            ),
        ),
        "pool_members": _rows(
            "link_id pool_id org_id", ("pool|uni", "pool", "uni"), ("pool|firm", "pool", "firm")
        ),
        "partnerships": _rows(
            "link_id org_id project_id role",
            ("inst|p1", "inst", "p1", "lead"),
            ("inst|p2", "inst", "p2", "lead"),
            ("inst|p3", "inst", "p3", "lead"),
            ("uni|p1", "uni", "p1", "donor"),
            ("fdn|p1", "fdn", "p1", "partner"),
            ("firm|p2", "firm", "p2", "donor"),
            ("ngo|p2", "ngo", "p2", "implementer"),
        ),
        "memberships": _rows(
            "link_id org_id network_id role",
            ("inst|n1", "inst", "n1", "member"),
            ("uni|n1", "uni", "n1", "member"),
        ),
        "targets": _rows(
            "link_id project_id target_id share",
            ("p1|KEN", "p1", "KEN", 0.5),
            ("p1|MUS", "p1", "MUS", 0.5),
            ("p2|eeca", "p2", "focus:eeca", None),
            ("p2|KAZ", "p2", "KAZ", None),
            ("p3|CHN", "p3", "CHN", None),
        ),
        "event_organizers": _rows(
            "link_id org_id event_id role",
            ("inst|e1", "inst", "e1", "organizer"),
            ("ngo|e1", "ngo", "e1", "co_organizer"),
            ("inst|e2", "inst", "e2", "organizer"),
            ("fdn|e2", "fdn", "e2", "co_organizer"),
            ("fdn|e3", "fdn", "e3", "organizer"),
        ),
        "event_countries": _rows("link_id event_id iso3", ("e3|MUS", "e3", "MUS")),
    }


def example_store() -> MemoryStore:
    """A new in-memory store holding :func:`example_records`."""
    store = MemoryStore(name="example")
    store.write(build_batch(example_records()), source="example")
    return store
