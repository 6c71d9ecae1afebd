"""Both stores, the same analyses: in-memory (pandas) against a real Bolt server (Cypher).

The bundled dataset and generated portfolios are written to both stores; the pushed-down
sums (:meth:`graph.store.GraphStore.funding_totals`) must be identical DataFrames for every
grouping, and every analysis must answer the same.
"""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from graph.analyses.cliff import donors_ending, funding_cliff, project_funding
from graph.analyses.concentration import concentration_by, concentration_trend, donor_concentration
from graph.analyses.diversity import donor_diversity
from graph.analyses.funding import coverage
from graph.analyses.network import centrality, co_partnership, communities, ego_network
from graph.analyses.regional import country_picture, regional_balance, regional_picture
from graph.analyses.scenarios import donor_exit
from graph.errors import EmptySelection
from graph.reports.findings import board_report
from graph.store import FUNDING_KEYS, Filters
from graph.store.batch import build_batch
from graph.store.memory import MemoryStore
from loaders.load import DATA_DIR, load
from loaders.load import load as load_path
from tests.helpers import same_result
from tests.test_analyses import portfolio_records

pytestmark = pytest.mark.bolt

FILTERS = [
    Filters(),
    Filters(year_from=2025),
    Filters(year_to=2024),
    Filters(sector="university"),
    Filters(region="focus:eeca"),
    Filters(country="CHN"),
]


def _pair(neo, records=None, folder=None):
    neo.clear()
    mem = MemoryStore()
    if folder is not None:
        load(folder, mem)
        load(folder, neo)
    else:
        batch = build_batch(records)
        mem.write(batch)
        neo.write(batch)
    return mem, neo


def _check_kept_to(mem, neo, key: str, ids: tuple, groupings) -> None:
    """Sums over the flows of ``ids`` (``Filters(donors=…)``, ``Filters(recipients=…)``
    or ``Filters(projects=…)``) agree on both stores and are every flow's sums kept to
    ``ids``."""
    f = Filters(**{f"{key}s": ids})
    for by in (*groupings, ("year",)):
        a = mem.funding_totals(by, f)
        pd.testing.assert_frame_equal(a, neo.funding_totals(by, f))
        if key in by:
            every = mem.funding_totals(by)
            every = every[every[key].isin(ids)].reset_index(drop=True)
            pd.testing.assert_frame_equal(a, every)


def _check_totals_identical(mem, neo):
    n = 0
    for r in (0, 1, 2):
        for by in itertools.combinations(FUNDING_KEYS, r):
            for f in FILTERS[:3] if r == 2 else FILTERS:
                for scheme in (
                    ("focus", "unesco")
                    if set(by) & {"donor_region", "target_region"}
                    else ("focus",)
                ):
                    a = mem.funding_totals(by, f, scheme=scheme)
                    b = neo.funding_totals(by, f, scheme=scheme)
                    pd.testing.assert_frame_equal(a, b, check_exact=True)
                    n += 1
    # the flows of a few donors: the same rows as every donor's, kept to those donors
    few = tuple(mem.funding_totals(("donor",))["donor"].head(2))
    _check_kept_to(mem, neo, "donor", few, (("donor", "project"), ("donor", "target_region")))
    # the flows to a few recipients: their money by project, core money (no project) too
    to = tuple(mem.funding_totals(("recipient",))["recipient"].head(2))
    _check_kept_to(mem, neo, "recipient", to, (("recipient", "project"), ("project",)))
    # the flows of a few projects (looked up in a map on the server): the same rows as
    # every project's, kept to those projects; a project no flow has keeps nothing
    some = tuple(mem.funding_totals(("project",))["project"].dropna().head(3)) + ("no-such",)
    _check_kept_to(mem, neo, "project", some, (("project", "donor"),))
    listed = [s.funding_flows(Filters(projects=some)) for s in (mem, neo)]
    assert sorted(listed[0]["flow_id"]) == sorted(listed[1]["flow_id"])
    assert set(listed[0]["project_id"]) == set(some[:-1])
    assert not len(mem.funding_flows(Filters(projects=()))) and not len(
        neo.funding_flows(Filters(projects=()))
    )
    for types in (["disbursement"], ["income", "commitment", "disbursement"]):
        pd.testing.assert_frame_equal(
            mem.funding_totals(("donor", "year"), flow_types=types),
            neo.funding_totals(("donor", "year"), flow_types=types),
            check_exact=True,
        )
    return n


def _analyses(store):
    out = {}

    def run(name, fn, *a, **kw):
        try:
            out[name] = fn(store, *a, **kw)
        except EmptySelection as e:
            out[name] = f"EmptySelection: {e}"

    for f in FILTERS[:3]:
        run(f"conc {f}", donor_concentration, f)
    for by in ("year", "project", "target_region", "channel", "kind", "donor_region"):
        run(f"by {by}", concentration_by, by)
    run("trend", concentration_trend)
    for by in ("donor_sector", "donor_country", "donor_region"):
        run(f"div {by}", donor_diversity, by=by)
    for scheme in ("focus", "unesco", "m49"):
        run(f"regions {scheme}", regional_picture, scheme=scheme)
    run("countries", country_picture)
    for measure in ("projects", "partners", "events", "money"):
        run(f"balance {measure}", regional_balance, measure=measure)
        run(f"balance {measure} network", regional_balance, measure=measure, scope="network")
    run("regions network", regional_picture, scope="network")
    run("cliff", funding_cliff)
    run("cliff network", funding_cliff, scope="network")
    run("project funding", project_funding)
    run("ending", donors_ending, by="2026-12-31")
    run("ending network", donors_ending, by="2026-12-31", scope="network")
    run("centrality", centrality)
    run("communities", communities)
    run("co-partnership", co_partnership)
    for f in FILTERS[3:]:
        run(f"co-partnership {f}", co_partnership, filters=f)
    return out


def _check_analyses_equal(mem, neo):
    a, b = _analyses(mem), _analyses(neo)
    assert a.keys() == b.keys()
    for k in a:
        same_result(a[k], b[k])


def test_bundled_dataset_same_sums_and_analyses_on_both_stores(neo):
    mem, neo = _pair(neo, folder=DATA_DIR)
    assert _check_totals_identical(mem, neo) > 300
    _check_analyses_equal(mem, neo)
    iite = donor_concentration(mem, recipient="iite")
    assert iite["pooled"] and iite["low"]["hhi"] < iite["high"]["hhi"]
    for who in (["pool-iite-donors"], ["huawei", "netdragon"], ["unesco"]):
        same_result(donor_exit(mem, who, recipient="iite"), donor_exit(neo, who, recipient="iite"))
    new = {"amount": 250_000, "sector": "foundation", "country": "KEN", "project": "jpik-africa"}
    same_result(donor_exit(mem, ["jpik"], add=new), donor_exit(neo, ["jpik"], add=new))
    same_result(ego_network(mem, "huawei", depth=2), ego_network(neo, "huawei", depth=2))
    # the same report, but for the line that names the store
    assert (
        board_report(mem, as_of="2025-01-01").splitlines()[3:]
        == (board_report(neo, as_of="2025-01-01").splitlines()[3:])
    )


@pytest.mark.parametrize("seed", [3, 17, 2024])
def test_generated_portfolios_same_sums_and_analyses_on_both_stores(neo, seed):
    records = portfolio_records(seed, n_donors=8, n_flows=40)
    mem, neo = _pair(neo, records=records)
    _check_totals_identical(mem, neo)
    _check_analyses_equal(mem, neo)
    donors = sorted(set(mem.funding_totals(("donor",))["donor"]) - {"inst"})[:2]
    if donors:
        same_result(donor_exit(mem, donors), donor_exit(neo, donors))


def test_negative_flows_are_netted_and_counted_the_same_in_both_stores(neo, tmp_path):
    xml = """<iati-activities version="2.03"><iati-activity default-currency="USD">
 <iati-identifier>XM-EX-NEG-1</iati-identifier>
 <reporting-org ref="XM-EX" type="10"><narrative>Example Ministry</narrative></reporting-org>
 <title><narrative>Reversal</narrative></title><activity-status code="2"/>
 <participating-org role="1" ref="GB-GOV-1" type="10"><narrative>UK</narrative></participating-org>
 <transaction><transaction-type code="11"/><transaction-date iso-date="2020-01-10"/>
  <value>1000</value></transaction>
 <transaction><transaction-type code="11"/><transaction-date iso-date="2020-06-10"/>
  <value>-250</value></transaction>
</iati-activity></iati-activities>"""
    path = tmp_path / "neg.xml"
    path.write_text(xml, encoding="utf-8")
    mem = MemoryStore()
    load_path(path, mem)
    load_path(path, neo)
    for store in (mem, neo):
        cov = coverage(store)
        assert (cov["negative_flows"], cov["negative_usd"], cov["donor_usd"]) == (1, -250.0, 750.0)
        assert (
            "1 flow is negative (reversals or decommitments, USD -250 in all)" in cov["statement"]
        )


def test_one_definition_of_where_projects_partners_and_events_are(neo):
    """Regional balance and Collaborations by region count the same projects, partners based
    there and events for every region of every scheme, on both stores (issue 11)."""
    from graph.analyses import collaborations

    stores = _pair(neo, folder=DATA_DIR)
    for store, scheme, scope in itertools.product(
        stores, ("focus", "unesco", "m49"), ("institute", "network")
    ):
        pic = regional_picture(store, scheme=scheme, scope=scope)
        for r in pic[pic["region"].notna()].itertuples():
            c = collaborations(store, Filters(region=r.region), scope=scope)
            assert (len(c["projects"]), c["based_there"], len(c["events"])) == (
                r.projects,
                r.partners,
                r.events,
            ), (scheme, scope, r.region)


def test_a_region_target_counts_for_each_of_its_countries(neo):
    for store in _pair(neo, folder=DATA_DIR):
        targets = store.rel_pairs("TARGETS")
        regional = targets[targets["end_label"] == "Region"]
        assert len(regional), "the bundled data has region targets"
        inr = store.rel_pairs("IN_REGION")
        for project, region in zip(regional["start"], regional["end"], strict=True):
            for country in inr.loc[inr["end"] == region, "start"]:
                got = set(store.nodes("Project", Filters(country=country))["id"])
                assert project in got, (project, region, country)


def _around_sets(f):
    """An :class:`~graph.store.around.Around` as sets, in no order."""
    ev = {
        (
            r.id,
            None if pd.isna(r.year) else int(r.year),
            None if pd.isna(r.project) else r.project,
            bool(r.organized),
        )
        for r in f.events.itertuples()
    }
    ties = {
        tuple(
            None if pd.isna(r.get(c)) else r.get(c) for c in ("org", "project", "event", "network")
        )
        for part in f.ties
        for r in part.to_dict("records")
    }
    projects = {
        (
            r.id,
            None if pd.isna(r.start_year) else int(r.start_year),
            None if pd.isna(r.end_year) else int(r.end_year),
        )
        for r in f.projects.itertuples()
    }
    years = {(r.project, int(r.year)) for r in f.flow_years.itertuples()}
    return projects, f.all_projects, ev, years, set(f.networks), ties


@pytest.mark.parametrize("folder", [DATA_DIR, "generated"])
def test_the_facts_around_the_institute_are_the_same_from_cypher(neo, tmp_path, folder):
    """The server store works the portfolio's facts out in Cypher (a few small answers, not
    every project and flow); they are the embedded store's, fact for fact."""
    from graph.analyses.institute import recipient_of
    from loaders.generate import generate

    if folder == "generated":
        folder = tmp_path / "g"
        generate(folder, flows=3000, seed=5)
    mem, server = _pair(neo, folder=folder)
    inst = recipient_of(mem)
    assert _around_sets(server.around(inst)) == _around_sets(mem.around(inst))
    assert _around_sets(server.around("nobody")) == _around_sets(mem.around("nobody"))
