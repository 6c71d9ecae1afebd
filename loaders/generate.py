"""A synthetic portfolio in the project's own record format, for benchmarks and scale tests.

``python -m loaders generate --flows N --seed S OUT/`` writes every record kind as CSV under
``OUT/``: the bundled data's countries and regions (real reference data), then generated
donors with skewed sizes (a few large, many small, across sectors and countries of every
region), recipients, multi-year projects that target countries or regions, networks,
events and ``N`` funding flows in several currencies, some of them with no amount, some in
kind. The same ``N`` and seed give the same bytes. Every generated record cites the source
``generated`` and says it is synthetic: none of it is data about real organisations.

The work is done column by column with NumPy (no loop over flows), so a million flows take
seconds to write.

Examples
--------
>>> import tempfile
>>> a, b = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
>>> sizes = generate(a, flows=200, seed=1)
>>> sizes["funding"], sizes["organizations"] > 20
(200, True)
>>> _ = generate(b, flows=200, seed=1)
>>> (a / "funding.csv").read_bytes() == (b / "funding.csv").read_bytes()
True
>>> more = generate(b, flows=2000, seed=1, structure=200)  # ten times the flows, same structure
>>> more["funding"], more["projects"] == sizes["projects"], more["organizations"] == sizes["organizations"]
(2000, True, True)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from graph.schema import KINDS

__all__ = ["generate", "SIZES"]

#: The benchmark sizes: number of funding flows.
SIZES = {"S": 1_000, "M": 100_000, "L": 1_000_000}

_DATA = Path(__file__).resolve().parent.parent / "data"
_SOURCE = "generated"
_QUOTE = "Generated record (synthetic test data)."

#: Donor sectors and how often each occurs among donors (pools are added separately).
_DONOR_SECTORS = {
    "government": 0.22,
    "un_system": 0.08,
    "university": 0.18,
    "private_company": 0.2,
    "foundation": 0.17,
    "ngo": 0.15,
}
_ORG_TYPE = {
    "government": "ministry",
    "un_system": "un_agency",
    "university": "university",
    "private_company": "company",
    "foundation": "foundation",
    "ngo": "ngo",
    "pool": "donor_pool",
}
_CHANNELS = {"extrabudgetary": 0.6, "decentralized": 0.2, "regular_budget": 0.08}
_CHANNELS |= {"host_country": 0.05, "in_kind": 0.04, "special_account": 0.03}
_CURRENCIES = {"USD": 0.7, "EUR": 0.2, "GBP": 0.1}
_FIRST_YEAR, _LAST_YEAR = 2012, 2026


def _pick(rng: np.random.Generator, choices: dict, n: int) -> np.ndarray:
    keys = np.array(list(choices))
    p = np.array(list(choices.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _ids(prefix: str, n: int) -> np.ndarray:
    return np.char.add(prefix, np.arange(n).astype(str))


def _write(out: Path, kind: str, table: dict, sizes: dict) -> None:
    """Write one record kind with its header in schema order; missing columns stay empty."""
    n = len(next(iter(table.values())))
    columns = [f.name for f in KINDS[kind].fields]
    frame = pd.DataFrame({c: table.get(c, [""] * n) for c in columns})
    if "quote" in columns:
        frame["source_id"], frame["quote"] = _SOURCE, _QUOTE
    frame.to_csv(out / f"{kind}.csv", index=False, lineterminator="\n")
    sizes[kind] = n


def _reference(out: Path, sizes: dict) -> pd.DataFrame:
    """Countries, regions and country regions of the bundled data; returns country_regions."""
    for kind in ("regions", "countries", "country_regions"):
        t = pd.read_csv(_DATA / f"{kind}.csv", dtype=str, keep_default_na=False)
        _write(out, kind, {c: t[c].to_numpy() for c in t.columns}, sizes)
    return pd.read_csv(_DATA / "country_regions.csv", dtype=str, keep_default_na=False)


def generate(
    out: Path, *, flows: int, seed: int = 0, structure: int | None = None
) -> dict[str, int]:
    """Write a synthetic portfolio of ``flows`` funding flows under ``out``.

    Parameters
    ----------
    out : Path
        Folder to write into (created if needed; files of the same names are replaced).
    flows : int
        Number of funding flows (the benchmark sizes are :data:`SIZES`).
    seed : int
        Seed of the random generator: the same flows and seed give the same files.
    structure : int, optional
        Size the donors, recipients, projects, networks and events as for this many
        flows (default: ``flows``), so that the flows grow on a structure that does not:
        the benchmarks show with it what grows with the flows alone.

    Returns
    -------
    dict
        Records written per kind.
    """
    if flows < 1:
        raise ValueError("flows must be at least 1")
    scale = flows if structure is None else structure
    if scale < 1:
        raise ValueError("structure must be at least 1")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    sizes: dict[str, int] = {}
    _write(
        out,
        "sources",
        {
            "source_id": [_SOURCE],
            "file": ["generated"],
            "title": ["Synthetic portfolio (python -m loaders generate)"],
            "date": [""],
            "kind": ["generated"],
        },
        sizes,
    )
    links = _reference(out, sizes)
    countries = np.array(sorted(set(links["iso3"])))
    regions = np.array(sorted(set(links["region_id"])))

    n_donors = max(20, scale // 200)
    n_recipients = max(4, scale // 5_000)
    n_projects = max(10, scale // 20)
    donor_sector = _pick(rng, _DONOR_SECTORS, n_donors)
    donor_ids = _ids("donor-", n_donors)
    recipient_ids = np.concatenate([["institute"], _ids("office-", n_recipients - 1)])
    org_ids = np.concatenate([recipient_ids, donor_ids, ["pool-1"]])
    sectors = np.concatenate([["un_system"] * n_recipients, donor_sector, ["pool"]])
    org_types = np.array([_ORG_TYPE[s] for s in sectors], dtype=object)
    org_types[0] = "un_institute"
    org_types[1:n_recipients] = "un_field_office"
    _write(
        out,
        "organizations",
        {
            "org_id": org_ids,
            "name": np.char.add("Synthetic organisation ", org_ids),
            "sector": sectors,
            "org_type": org_types,
            "country": countries[rng.integers(0, len(countries), len(org_ids))],
            "parent_id": [""] + ["institute"] * (n_recipients - 1) + [""] * (n_donors + 1),
        },
        sizes,
    )

    start = rng.integers(_FIRST_YEAR, _LAST_YEAR, n_projects)
    end = np.minimum(start + rng.integers(0, 5, n_projects), _LAST_YEAR + 3)
    project_ids = _ids("project-", n_projects)
    _write(
        out,
        "projects",
        {
            "project_id": project_ids,
            "title": np.char.add("Synthetic project ", np.arange(n_projects).astype(str)),
            "status": np.where(end < _LAST_YEAR, "completed", "ongoing"),
            "start_year": start,
            "end_year": end,
        },
        sizes,
    )
    n_networks = max(3, scale // 10_000)
    network_ids = _ids("network-", n_networks)
    _write(
        out,
        "networks",
        {
            "network_id": network_ids,
            "name": np.char.add("Synthetic network ", np.arange(n_networks).astype(str)),
            "scope": _pick(rng, {"global": 0.5, "regional": 0.3, "national": 0.2}, n_networks),
        },
        sizes,
    )
    n_events = max(5, scale // 100)
    event_year = rng.integers(_FIRST_YEAR, _LAST_YEAR + 1, n_events)
    event_ids = _ids("event-", n_events)
    _write(
        out,
        "events",
        {
            "event_id": event_ids,
            "title": np.char.add("Synthetic event ", np.arange(n_events).astype(str)),
            "kind": _pick(rng, {"webinar": 0.4, "workshop": 0.3, "conference": 0.3}, n_events),
            "year": event_year,
            "country": countries[rng.integers(0, len(countries), n_events)],
            "online": np.where(rng.random(n_events) < 0.3, "true", "false"),
            "project_id": project_ids[rng.integers(0, n_projects, n_events)],
        },
        sizes,
    )

    # Flows: donor sizes follow a Pareto law (a few donors give most of the money).
    weight = rng.pareto(1.2, n_donors) + 0.05
    donor_of_flow = rng.choice(n_donors, size=flows, p=weight / weight.sum())
    project_of_flow = rng.integers(0, n_projects, flows)
    span = end[project_of_flow] - start[project_of_flow] + 1
    year = start[project_of_flow] + (rng.random(flows) * span).astype(int)
    recipient = np.where(rng.random(flows) < 0.8, 0, rng.integers(0, n_recipients, flows))
    currency = _pick(rng, _CURRENCIES, flows)
    channel = _pick(rng, _CHANNELS, flows)
    amount = np.round(rng.lognormal(10, 1.2, flows) * (1 + weight[donor_of_flow]), 0)
    unknown = rng.random(flows) < 0.05
    amount_text = np.where(unknown, "", amount.astype(np.int64).astype(str))
    # Synthetic rates, stated per flow in usd_rate as a user's own records would.
    rate = np.select([currency == "EUR", currency == "GBP"], [1.1, 1.3], 1.0)
    usd_text = np.where(unknown, "", np.round(amount * rate, 2).astype(str))
    rate_text = np.where(unknown | (currency == "USD"), "", rate.astype(str))
    pooled = rng.random(flows) < 0.02
    in_kind = channel == "in_kind"
    _write(
        out,
        "funding",
        {
            "flow_id": _ids("flow-", flows),
            "donor_id": np.where(pooled, "pool-1", donor_ids[donor_of_flow]),
            "recipient_id": recipient_ids[recipient],
            "project_id": np.where(rng.random(flows) < 0.9, project_ids[project_of_flow], ""),
            "year": year,
            "amount": amount_text,
            "currency": np.where(unknown, "", currency),
            "amount_usd": usd_text,
            "usd_rate": rate_text,
            "rate_source": np.where(rate_text == "", "", "synthetic rate"),
            "kind": np.where(in_kind, "in_kind", "cash"),
            "channel": channel,
            "pooled": np.where(pooled, "true", "false"),
        },
        sizes,
    )
    members = rng.choice(n_donors, size=min(10, n_donors), replace=False)
    _write(
        out,
        "pool_members",
        {"pool_id": ["pool-1"] * len(members), "org_id": donor_ids[members]},
        sizes,
    )

    # Partnerships: the main donor of each project and the institute as lead.
    donor_of_project = donor_ids[rng.choice(n_donors, size=n_projects, p=weight / weight.sum())]
    _write(
        out,
        "partnerships",
        {
            "org_id": np.concatenate([donor_of_project, ["institute"] * n_projects]),
            "project_id": np.concatenate([project_ids, project_ids]),
            "role": ["donor"] * n_projects + ["lead"] * n_projects,
        },
        sizes,
    )
    n_members = n_networks * 8
    pairs = pd.DataFrame(
        {
            "org_id": org_ids[rng.integers(0, len(org_ids) - 1, n_members)],
            "network_id": network_ids[rng.integers(0, n_networks, n_members)],
        }
    ).drop_duplicates()
    _write(out, "memberships", {c: pairs[c].to_numpy() for c in pairs}, sizes)
    # Targets: one country or one region per project.
    to_region = rng.random(n_projects) < 0.3
    target = np.where(
        to_region,
        regions[rng.integers(0, len(regions), n_projects)],
        countries[rng.integers(0, len(countries), n_projects)],
    )
    _write(out, "targets", {"project_id": project_ids, "target_id": target}, sizes)
    _write(
        out,
        "event_organizers",
        {
            "org_id": ["institute"] * n_events,
            "event_id": event_ids,
            "role": ["organizer"] * n_events,
        },
        sizes,
    )
    _write(
        out,
        "event_countries",
        {"event_id": event_ids, "iso3": countries[rng.integers(0, len(countries), n_events)]},
        sizes,
    )
    return sizes
