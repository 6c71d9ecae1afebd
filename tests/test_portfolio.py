"""Whose portfolio the institute's analyses count (issue 11): its own current work by
default, the wider network when switched in, on the bundled data and in the CLI."""

from __future__ import annotations

import pytest

from graph.__main__ import main
from graph.analyses import collaborations
from graph.analyses.cliff import funding_cliff
from graph.analyses.portfolio import portfolio
from graph.analyses.regional import regional_balance, regional_picture
from graph.errors import AnalysisError
from graph.store import Filters
from loaders.load import load_memory

#: Projects of the bundled data the institute's documents never put it in.
NOT_ITS_OWN = ("kazfuca-esd-seminar-2023", "young-trainers-school")


@pytest.fixture(scope="module")
def store():
    return load_memory()


def test_the_institute_portfolio_leaves_out_partners_projects_and_old_ones(store):
    p = portfolio(store)
    assert p.institute == "iite"
    assert p.outside == len(NOT_ITS_OWN)
    # LFF ended in 2014; LFF-Russia was to start in 2016 and nothing later mentions it
    assert p.historical == ("lff", "lff-russia")
    assert not set(NOT_ITS_OWN) & p.projects and "ubraf-kazakhstan" in p.projects
    # the Almaty seminar and the Young Trainers' presentation are not the institute's events
    assert "e-2023-05-15-almaty-young-trainers" not in p.events
    assert "e-2025-04-moscow-empowering-workshop" in p.events
    # its partners: in its projects, its events, its networks, on the other end of its money
    assert {"bnu", "huawei", "iif"} <= p.partners and "iite" not in p.partners
    assert "exxonmobil-kaz" not in p.partners
    assert "2 projects it is not part of and 2 historical projects" in p.says()


def test_choosing_years_looks_back_instead_of_leaving_old_projects_out(store):
    p = portfolio(store, filters=Filters(year_from=2015, year_to=2016))
    assert p.historical == () and "lff-russia" in p.projects
    assert portfolio(store, "network").everything


def test_regional_balance_counts_the_institute_portfolio_by_default(store):
    own = regional_balance(store)["table"].set_index("region")
    wide = regional_balance(store, scope="network")["table"].set_index("region")
    # Africa: 6.5 points under its target in the wider network, 2.2 over in the institute's
    assert round(100 * wide.at["focus:africa", "gap"], 1) == -6.5
    assert round(100 * own.at["focus:africa", "gap"], 1) == 2.2
    # the Young Trainers' School, the ESD seminar and LFF-Russia are EECA's three projects
    assert wide.at["focus:eeca", "actual"] - own.at["focus:eeca", "actual"] == pytest.approx(3)
    assert regional_balance(store)["portfolio"].startswith("Counting the institute's own")


def test_the_cliff_and_collaborations_follow_the_same_switch(store):
    own = set(", ".join(funding_cliff(store)["project_ids"]).split(", "))
    wide = set(", ".join(funding_cliff(store, scope="network")["project_ids"]).split(", "))
    assert wide - own == {"young-trainers-school", "lff-russia"}
    kaz = Filters(country="KAZ")
    own_kaz = set(collaborations(store, kaz)["projects"]["id"])
    wide_kaz = set(collaborations(store, kaz, scope="network")["projects"]["id"])
    assert wide_kaz - own_kaz == set(NOT_ITS_OWN)
    pic = regional_picture(store, scope="network")
    assert pic["projects"].sum() > regional_picture(store)["projects"].sum()


def test_an_unknown_scope_is_a_clear_error(store):
    with pytest.raises(AnalysisError, match="use one of: institute, network"):
        portfolio(store, "everyone")


def test_cli_counts_the_institute_by_default_and_the_network_when_asked(capsys):
    assert main(["report"]) == 0
    assert "Counting the institute's own portfolio" in capsys.readouterr().out
    assert main(["report", "--network"]) == 0
    assert "Counting the wider network" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "status", "says"),
    [
        (["report", "--scheme", "continents"], 2, "invalid choice: 'continents'"),
        (["report", "--as-of", "15/08/2025"], 2, "write it as YYYY-MM-DD"),
        (["report", "--recipient", "nobody"], 1, "organizations that receive money: iite"),
    ],
)
def test_cli_refuses_an_unknown_scheme_recipient_or_date(capsys, argv, status, says):
    try:
        got = main(argv)
    except SystemExit as e:  # argparse: a usage error
        got = e.code
    assert got == status
    assert says in capsys.readouterr().err
