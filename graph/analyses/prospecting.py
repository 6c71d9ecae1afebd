"""Where new donors are: funders in published data (loaded as external) who fund the
institute's themes in its focus regions and are not yet its donors.

What counts (settings in ``data/reference/prospecting.toml``, read by
:func:`read_prospecting`):

* a **themed flow** is an external funding flow of a funding kind (a commitment or a
  grant: :data:`PROSPECT_FLOW_TYPES`, so a commitment and the disbursements that pay it are
  not counted twice) tied to a project whose ``themes`` match a theme's codes;
* its money **in the themes and focus regions** is its USD amount times the share of its
  project's sectors in the themes (the percentages the publisher gives within a vocabulary,
  else an even split) times the share of its project's target countries that lie in a focus
  region (split evenly over the countries): a country lies in a focus region
  when the institute's own data places it there, or by the region's rule in the settings
  (Africa: every country of UN M49 region 002);
* a **prospect** is a funder of at least one themed flow with money in a focus region that
  has given the institute nothing in the own data (no own flow to the institute).

Each prospect gets its money in the themes and focus regions (the rank), its themed flows,
its typical grant (the median USD amount of those flows), the focus regions and themes it
funds, its other sectors, and the institute's current donors it co-funds with (both fund at
least one same recipient, in any data). :func:`with_prospect` says what adding one at its
typical grant would do to the institute's projected concentration and regional balance
(:mod:`graph.analyses.projection`).

Examples
--------
>>> from loaders.load import load_memory
>>> p = prospects(load_memory(), read_prospecting(PROSPECTING_EXAMPLE))
>>> len(p.table), p.counted["external_flows"]   # the bundled data holds no published data
(0, 0)
"""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from graph.analyses.institute import INSTITUTE, recipient_of
from graph.errors import SettingsError
from graph.store import Filters, GraphStore
from graph.text import label

__all__ = [
    "Theme",
    "ProspectingSettings",
    "Prospects",
    "PROSPECT_FLOW_TYPES",
    "PROSPECT_COLUMNS",
    "PROSPECTING_EXAMPLE",
    "read_prospecting",
    "parse_prospecting",
    "read_m49",
    "read_sector_names",
    "prospects",
    "with_prospect",
    "ProspectEffect",
]

#: The flow types whose money a funder gives (a commitment, a grant): disbursements and
#: expenditure pay out commitments and would count the same money again.
PROSPECT_FLOW_TYPES = ("commitment", "grant")

#: The bundled settings (the app and the CLI find them through ``loaders.load``).
PROSPECTING_EXAMPLE = Path(__file__).resolve().parents[2] / "data/reference/prospecting.toml"

#: The columns of :attr:`Prospects.table`.
PROSPECT_COLUMNS = (
    "funder",
    "name",
    "sector",
    "focus_usd",
    "themed_flows",
    "usd_known",
    "typical_usd",
    "regions",
    "themes",
    "other_sectors",
    "cofunds_with",
    "all_usd",
    "main_region",
)


@dataclass(frozen=True)
class Theme:
    """One of the institute's themes: ``codes`` are patterns (``dac:111*``)."""

    id: str
    name: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class ProspectingSettings:
    """The themes and the focus-region rules (``region id → (m49 codes, iso3 codes)``)."""

    themes: tuple[Theme, ...]
    regions: dict = field(default_factory=dict)
    m49: pd.DataFrame = field(default_factory=pd.DataFrame)
    sectors: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Prospects:
    """The prospects, ranked, and what was counted.

    Attributes
    ----------
    table : DataFrame
        One row per prospect (:data:`PROSPECT_COLUMNS`), most money in the themes and focus
        regions first.
    flows : DataFrame
        The themed flows with money in a focus region (``flow_id``, ``funder``, ``amount``,
        ``currency``, ``amount_usd``, ``focus_share``, ``theme_share``), current donors'
        included.
    counted : dict
        ``external_flows`` (of the funding kinds), ``themed``, ``in_focus``, ``with_usd``
        and ``current_donors_left_out``.
    """

    table: pd.DataFrame
    flows: pd.DataFrame
    counted: dict


def parse_prospecting(text: str, name: str = "prospecting") -> ProspectingSettings:
    """The settings of a TOML text; :class:`SettingsError` naming ``name`` when wrong.

    >>> s = parse_prospecting('[[theme]]\\nid = "ict"\\nname = "ICT"\\ncodes = ["dac:22040"]')
    >>> s.themes[0].codes
    ('dac:22040',)
    >>> parse_prospecting('[[theme]]\\nid = "x"')
    Traceback (most recent call last):
    ...
    graph.errors.SettingsError: prospecting: theme 'x' needs name and codes (a list of codes)
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{name}: not valid TOML ({e})") from e
    themes = []
    for t in data.get("theme") or []:
        tid, codes = str(t.get("id") or "?"), t.get("codes")
        if not t.get("name") or not isinstance(codes, list) or not codes:
            raise SettingsError(f"{name}: theme {tid!r} needs name and codes (a list of codes)")
        themes.append(Theme(tid, str(t["name"]), tuple(str(c) for c in codes)))
    if not themes:
        raise SettingsError(f"{name}: no [[theme]]: name at least one of the institute's themes")
    regions = {}
    for r in data.get("region") or []:
        if not r.get("id"):
            raise SettingsError(f"{name}: a [[region]] needs an id (a focus region)")
        m49 = tuple(str(c).zfill(3) for c in r.get("m49") or [])
        regions[str(r["id"])] = (m49, tuple(str(c).upper() for c in r.get("countries") or []))
    return ProspectingSettings(tuple(themes), regions)


def read_m49(path) -> pd.DataFrame:
    """``iso3`` and every M49 code (region, sub-region, intermediate region) it lies in."""
    t = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = ["region-code", "sub-region-code", "intermediate-region-code"]
    long = t.melt(id_vars=["alpha-3"], value_vars=cols, value_name="m49")
    long = long[long["m49"] != ""]
    return long.rename(columns={"alpha-3": "iso3"})[["iso3", "m49"]].reset_index(drop=True)


def read_sector_names(path) -> dict:
    """DAC 3-digit sector category → its name, from IATI's ``SectorCategory`` codelist.

    >>> read_sector_names(PROSPECTING_EXAMPLE.with_name("SectorCategory.xml"))["111"]
    'Education, Level Unspecified'
    """
    root = ET.parse(path).getroot()
    out = {}
    for item in root.iter("codelist-item"):
        code, name = item.findtext("code"), item.find("name/narrative")
        if code and name is not None and name.text:
            out[code.strip()] = name.text.strip()
    return out


def read_prospecting(path, m49_path=None) -> ProspectingSettings:
    """The settings of the TOML file at ``path`` (the M49 table and IATI's sector
    categories beside the bundled settings by default)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise SettingsError(f"cannot read the prospecting file {p}: {e.strerror or e}") from e
    s = parse_prospecting(text, p.name)
    m49 = Path(m49_path) if m49_path else PROSPECTING_EXAMPLE.with_name("m49.csv")
    names = read_sector_names(PROSPECTING_EXAMPLE.with_name("SectorCategory.xml"))
    return ProspectingSettings(s.themes, s.regions, read_m49(m49), names)


def _pattern(codes) -> re.Pattern:
    """One regular expression for code patterns (``*`` = any ending), any case."""
    parts = [re.escape(c.strip().lower()).replace(r"\*", ".*") for c in codes]
    return re.compile("^(?:" + "|".join(parts) + ")$")


def _project_codes(store: GraphStore) -> pd.DataFrame:
    """Every sector code of every project: ``project``, ``code`` (lower case), ``vocab``
    and ``weight``, the code's share of the project within its vocabulary (the percentage
    the source gives, else an even split)."""
    p = store.node_table("Project")
    if not len(p) or "themes" not in p:
        return pd.DataFrame(columns=["project", "code", "vocab", "weight"])
    t = p[["id", "themes"]].dropna()
    t = t.assign(item=t["themes"].str.split(";")).explode("item")
    parts = t["item"].str.strip().str.extract(r"^(?P<code>\S+)(?:\s+(?P<pct>[0-9.]+)%)?$")
    codes = pd.DataFrame(
        {
            "project": t["id"].to_numpy(),
            "code": parts["code"].str.lower().to_numpy(),
            "pct": pd.to_numeric(parts["pct"], errors="coerce").to_numpy(),
        }
    ).dropna(subset=["code"])
    codes["vocab"] = codes["code"].str.split(":").str[0]
    key = [codes["project"], codes["vocab"]]
    stated = codes.groupby(key)["pct"].transform(lambda s: s.notna().all() and s.sum() > 0)
    total = codes.groupby(key)["pct"].transform("sum")
    even = 1.0 / codes.groupby(key)["code"].transform("size")
    codes["weight"] = np.where(stated.astype(bool), codes["pct"] / total, even)
    return codes.drop(columns=["pct"])


def _project_themes(store: GraphStore, settings: ProspectingSettings):
    """``project``, ``theme`` (id) for every project code that matches a theme, and each
    project's ``share`` in the themes (the largest over its vocabularies of the weights of
    its themed codes); and every code (``project``, ``code``, ``themed``)."""
    codes = _project_codes(store)
    codes["themed"] = False
    out = []
    for t in settings.themes:
        hit = codes["code"].str.match(_pattern(t.codes)).to_numpy(dtype=bool)
        codes.loc[hit, "themed"] = True
        out.append(pd.DataFrame({"project": codes.loc[hit, "project"], "theme": t.id}))
    themed = pd.concat(out).drop_duplicates().reset_index(drop=True)
    on = codes[codes["themed"].astype(bool)]
    share = on.groupby(["project", "vocab"])["weight"].sum().groupby(level=0).max()
    return themed, codes, share.clip(upper=1.0)


def _focus_of_countries(store: GraphStore, settings: ProspectingSettings) -> pd.DataFrame:
    """``iso3``, ``region``: the focus regions each country lies in (the own data's
    memberships and the settings' rules)."""
    r = store.rel_table("IN_REGION")
    own = r.loc[r["end"].astype(str).str.startswith("focus:"), ["start", "end"]] if len(r) else r
    own = pd.DataFrame({"iso3": own.get("start", []), "region": own.get("end", [])})
    ruled = []
    for region, (m49, iso3) in settings.regions.items():
        if len(settings.m49) and m49:
            hit = settings.m49.loc[settings.m49["m49"].isin(m49), "iso3"]
            ruled.append(pd.DataFrame({"iso3": hit.to_numpy(), "region": region}))
        if iso3:
            ruled.append(pd.DataFrame({"iso3": list(iso3), "region": region}))
    return pd.concat([own, *ruled], ignore_index=True).drop_duplicates()


def _focus_share(store: GraphStore, settings: ProspectingSettings) -> pd.DataFrame:
    """``project``, ``region``, ``share``: the share of each project's target countries in
    each focus region (a project's money split evenly over its countries)."""
    t = store.rel_table("TARGETS")
    if not len(t):
        return pd.DataFrame(columns=["project", "region", "share"])
    t = t.loc[t["end_label"] == "Country", ["start", "end"]].drop_duplicates()
    n = t.groupby("start")["end"].transform("size")
    t = t.assign(weight=1.0 / n.to_numpy())
    m = t.merge(_focus_of_countries(store, settings), left_on="end", right_on="iso3")
    s = m.groupby(["start", "region"], as_index=False)["weight"].sum()
    return s.rename(columns={"start": "project", "weight": "share"})


def _current_donors(store: GraphStore, inst) -> set:
    """Organisations with an own flow to the institute (known amount or not)."""
    t = store.funding_totals(("donor", "recipient"))
    return set(t.loc[(t["recipient"] == inst) & (t["donor"] != inst), "donor"])


def _cofunders(store: GraphStore, funders: pd.Series, current: set, names: dict) -> dict:
    """Funder → the current donors that fund one of its recipients (in any data)."""
    ext = store.funding_totals(("donor", "recipient"), Filters(external=True))
    own = store.funding_totals(("donor", "recipient"))
    pairs = pd.concat([ext[["donor", "recipient"]], own[["donor", "recipient"]]])
    mine = pairs[pairs["donor"].isin(set(funders))]
    theirs = pairs[pairs["donor"].isin(current)].rename(columns={"donor": "current"})
    both = mine.merge(theirs, on="recipient")
    both = both[both["donor"] != both["current"]].drop_duplicates(["donor", "current"])
    return {
        d: ", ".join(sorted(names.get(c, c) for c in g["current"]))
        for d, g in both.groupby("donor")
    }


def _themed_flows(store, settings, share: pd.DataFrame) -> tuple:
    """The external flows of the funding kinds tied to a themed project, with their focus
    and theme shares (``share``: :func:`_focus_share`); the themes of each project; every
    code of every project; how many external flows of those kinds there are."""
    themed, codes, theme_share = _project_themes(store, settings)
    # only the themed projects' flows are read (on a server: summed, not listed, for the rest)
    f = store.funding_flows(Filters(external=True, projects=themed["project"]))
    t = f[f["flow_type"].fillna("income").isin(PROSPECT_FLOW_TYPES).to_numpy()]
    every = store.funding_totals((), Filters(external=True), flow_types=PROSPECT_FLOW_TYPES)
    n_ext = int(every["flows"].sum()) if len(every) else 0
    focus = share.groupby("project")["share"].sum()
    t = t.assign(
        focus_share=t["project_id"].map(focus).fillna(0.0).to_numpy(),
        theme_share=t["project_id"].map(theme_share).fillna(0.0).to_numpy(),
    )
    return t.rename(columns={"donor_id": "funder"}), themed, codes, n_ext


def prospects(
    store: GraphStore, settings: ProspectingSettings, *, recipient=INSTITUTE
) -> Prospects:
    """The funders in external data who fund the institute's themes in its focus regions
    and are not its donors, ranked (see the module)."""
    share = _focus_share(store, settings)
    flows, themed, codes, n_ext = _themed_flows(store, settings, share)
    inst = recipient_of(store, recipient)
    current = _current_donors(store, inst) if inst is not None else set()
    in_focus = flows[flows["focus_share"] > 0].copy()
    in_focus["focus_usd"] = (
        in_focus["amount_usd"] * in_focus["focus_share"] * in_focus["theme_share"]
    )
    counted = {
        "external_flows": n_ext,
        "themed": len(flows),
        "in_focus": len(in_focus),
        "with_usd": int(in_focus["amount_usd"].notna().sum()),
        "current_donors_left_out": int(in_focus["funder"].isin(current).sum()),
    }
    keep = in_focus[~in_focus["funder"].isin(current)]
    cols = ["flow_id", "funder", "amount", "currency", "amount_usd", "focus_share"]
    cols += ["theme_share"]
    table = _rank(store, settings, share, keep, (themed, codes), current)
    return Prospects(table, in_focus[cols].reset_index(drop=True), counted)


def _rank(store, settings, share, flows, projects, current) -> pd.DataFrame:
    """One row per funder of ``flows`` (see :data:`PROSPECT_COLUMNS`); ``share`` the focus
    shares of the projects, ``projects`` their themes and codes."""
    themed, codes = projects
    if not len(flows):
        return pd.DataFrame(columns=list(PROSPECT_COLUMNS))
    g = flows.groupby("funder")
    out = pd.DataFrame(
        {
            "focus_usd": g["focus_usd"].sum(min_count=1),
            "themed_flows": g.size(),
            "usd_known": g["amount_usd"].count(),
            "typical_usd": g["amount_usd"].median(),
        }
    )
    orgs = store.node_table("Organization").set_index("id")
    names = _names(orgs)
    out["name"] = out.index.map(lambda i: names.get(i, i))
    out["sector"] = out.index.map(lambda i: label(orgs["sector"].get(i)) if i in orgs.index else "")
    out["regions"] = _joined(flows, _region_names(store, share))
    out["main_region"] = _main_region(flows, share)
    tnames = {t.id: t.name for t in settings.themes}
    out["themes"] = _joined(
        flows, themed.assign(name=themed["theme"].map(tnames)).groupby("project")["name"].agg(list)
    )
    out["other_sectors"] = _others(flows, codes, settings.sectors)
    out["cofunds_with"] = pd.Series(_cofunders(store, out.index.to_series(), current, names))
    allm = store.funding_totals(("donor",), Filters(external=True), flow_types=PROSPECT_FLOW_TYPES)
    out["all_usd"] = allm.set_index("donor")["amount_usd"].reindex(out.index)
    out.index.name = "funder"
    out = out.reset_index().fillna({"cofunds_with": "", "other_sectors": ""})
    out = out.sort_values(["focus_usd", "themed_flows", "name"], ascending=[False, False, True])
    return out[list(PROSPECT_COLUMNS)].reset_index(drop=True)


def _main_region(flows: pd.DataFrame, share: pd.DataFrame) -> pd.Series:
    """Per funder: the focus region its themed money serves most (by USD, else flows)."""
    m = flows[["funder", "project_id", "amount_usd"]].merge(
        share, left_on="project_id", right_on="project"
    )
    m["usd"] = m["amount_usd"].fillna(0.0) * m["share"]
    g = m.groupby(["funder", "region"], as_index=False).agg(usd=("usd", "sum"), n=("share", "size"))
    g = g.sort_values(["funder", "usd", "n", "region"], ascending=[True, False, False, True])
    return g.drop_duplicates("funder").set_index("funder")["region"]


def _names(orgs: pd.DataFrame) -> dict:
    if not len(orgs):
        return {}
    name = orgs["name"] if "name" in orgs else pd.Series(orgs.index, index=orgs.index)
    return {i: (n if isinstance(n, str) and n else i) for i, n in name.items()}


def _region_names(store: GraphStore, share: pd.DataFrame) -> pd.Series:
    """Project → the names of the focus regions it serves (``share``: :func:`_focus_share`)."""
    regions = store.node_table("Region")
    names = dict(zip(regions["id"], regions["name"], strict=True)) if len(regions) else {}
    share = share.assign(name=share["region"].map(lambda r: names.get(r, r)))
    return share.groupby("project")["name"].agg(lambda s: sorted(set(s)))


def _joined(flows: pd.DataFrame, lists: pd.Series) -> pd.Series:
    """Per funder: the union of ``lists[project]`` over its flows' projects, sorted and
    joined with ", "."""
    rows = flows[["funder", "project_id"]].assign(item=flows["project_id"].map(lists))
    rows = rows.explode("item").dropna()
    return rows.groupby("funder")["item"].agg(lambda s: ", ".join(sorted(set(s))))


def _others(flows: pd.DataFrame, codes: pd.DataFrame, names: dict) -> pd.Series:
    """Per funder: the DAC sector categories (no theme's) its themed projects also carry,
    most frequent first, in words."""
    other = codes[~codes["themed"].astype(bool)]
    cat = other["code"].str.extract(r"^dac3?:(\d{3})")[0]
    other = other.assign(
        cat=cat.map(lambda c: names.get(c, f"DAC {c}") if isinstance(c, str) else None)
    )
    rows = flows[["funder", "project_id"]].merge(
        other[["project", "cat"]].dropna(), left_on="project_id", right_on="project"
    )
    counts = rows.groupby(["funder", "cat"]).size().reset_index(name="n")
    counts = counts.sort_values(["funder", "n", "cat"], ascending=[True, False, True])
    return counts.groupby("funder")["cat"].agg("; ".join)


@dataclass(frozen=True)
class ProspectEffect:
    """What one prospect at its typical grant, certain, does in a year of the projection:
    the expected HHI before and after, and each focus region's expected share of the money
    (``region``, ``name``, ``before``, ``after``, ``target``)."""

    year: int
    amount: float
    region: str | None
    hhi_before: float
    hhi_after: float
    shares: pd.DataFrame


def with_prospect(p, row: dict, *, year: int | None = None) -> ProspectEffect | None:
    """The effect of adding the prospect ``row`` (a row of :attr:`Prospects.table`) at its
    typical grant to the projection ``p`` in ``year`` (its last year by default), money
    for its main focus region; None when no grant of it states a USD amount."""
    from graph.analyses.projection import project_lines

    size = row.get("typical_usd")
    if size is None or not np.isfinite(float(size)):
        return None
    year = int(p.period[1] if year is None else year)
    region = row.get("main_region") if isinstance(row.get("main_region"), str) else None
    new = dict.fromkeys(p.lines.columns)
    new.update(
        kind="prospect",
        id=f"prospect:{row['funder']}",
        title=f"{row['name']} (its typical grant)",
        donor=row["funder"],
        donor_name=row["name"],
        channel="extrabudgetary",
        first=year,
        last=year,
        probability=1.0,
        amount=float(size),
        low=float(size),
        high=float(size),
        regions=((region, 1.0),),
        basis="its typical grant in published data",
        stated_by="prospecting",
    )
    lines = p.lines[(p.lines["first"] <= year) & (p.lines["last"] >= year)]
    names = dict(zip(p.regions["region"], p.regions.get("name", p.regions["region"]), strict=True))
    added = pd.concat([lines, pd.DataFrame([new])], ignore_index=True)
    after = project_lines(added, (year, year), targets=p.targets or None, draws=2000, names=names)
    r = p.regions
    before = r[(r["measure"] == "money") & (r["year"] == year)].set_index("region")  # as is
    now = after.regions[after.regions["measure"] == "money"].set_index("region")
    shares = pd.DataFrame(
        {
            "name": now["name"],
            "before": before["share"].reindex(now.index),
            "after": now["share"],
            "target": now["target"],
        }
    ).reset_index()
    hhi = float(p.years.loc[p.years["year"] == year, "hhi"].iloc[0])
    return ProspectEffect(year, float(size), region, hhi, float(after.years["hhi"].iloc[0]), shares)
