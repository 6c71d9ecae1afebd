"""Board limits (issue 13, part 2): limits as data, checked now and in the projection, and
``python -m graph check`` for a scheduled job."""

from __future__ import annotations

import pandas as pd
import pytest

from graph.__main__ import main as graph_cli
from graph.analyses.limits import check_limits, parse_limits, projected_text, read_limits
from graph.analyses.projection import projection
from graph.errors import SettingsError
from loaders.load import LIMITS_FILE, load_memory

LENIENT = """
[[limit]]
id = "top"
what = "Top donor at most 90 % of all money"
measure = "top_donor_share"
money = "all"
max = 0.9

[[limit]]
id = "hhi"
what = "HHI at most 9,000"
measure = "hhi"
max = 9000
"""


@pytest.fixture(scope="module")
def store():
    return load_memory()


def test_the_bundled_limits_now_three_breached_and_one_that_holds(store):
    checks = check_limits(store, read_limits(LIMITS_FILE))
    got = [(c.id, c.status, c.now) for c in checks]
    assert got == [
        ("top-donor", "breached", "largest donor 66.6 % of voluntary money"),
        ("hhi", "breached", "HHI 4,050–4,443"),
        ("focus-regions", "holds", "Middle East -9.3 points against its target (projects)"),
        ("known-amounts", "breached", "8 of 23 donor flows state an amount"),
    ]


def test_a_pooled_range_across_the_limit_is_unclear_not_a_verdict(store):
    (c,) = check_limits(store, parse_limits('[[limit]]\nmeasure = "hhi"\nmax = 4200\n'))
    assert c.status == "unclear" and c.why == "pooled money leaves a range across the limit"


def test_the_projection_says_when_a_limit_first_breaks(store):
    renewals = pd.DataFrame(
        [
            {
                "renewal_id": "r-rb",
                "donor_id": "unesco",
                "channel": "regular_budget",
                "probability": 1.0,
                "stated_by": "test",
            },
            {
                "renewal_id": "r-host",
                "donor_id": "rus-gov",
                "channel": "host_country",
                "probability": 0.9,
                "stated_by": "test",
            },
            {
                "renewal_id": "r-pool",
                "donor_id": "pool-iite-donors",
                "channel": "extrabudgetary",
                "probability": 0.6,
                "stated_by": "test",
            },
        ]
    )
    p = projection(store, renewals=renewals, prospects=pd.DataFrame())
    checks = {c.id: c for c in check_limits(store, read_limits(LIMITS_FILE), projection=p)}
    # the Huawei project, the only one in the Middle East, ends in 2026
    regions = checks["focus-regions"]
    assert (regions.first_break, regions.first_possible) == (2027, 2027)
    assert (
        projected_text(regions, p.period) == "projected to break in 2027 (on the expected figures)"
    )
    # three donors at most: the HHI stays over 2,500 every year
    assert checks["hhi"].years["status"].tolist() == ["breached"] * 4
    assert projected_text(checks["known-amounts"], p.period).startswith("not projected")


def test_nothing_known_for_the_period_is_said_so(store):
    p = projection(store, renewals=pd.DataFrame(), prospects=pd.DataFrame())
    (c,) = check_limits(store, parse_limits(LENIENT)[1:], projection=p)
    assert projected_text(c, p.period) == (
        "cannot be projected for 2026–2029: no money is known for those years "
        "(add renewals and prospects)"
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[[limit]]\nmeasure = 'hhi'\nmax = 'high'\n", "limit 1 (no id): give max as a number"),
        ("[[limit]]\nid = 'x'\nmeasure = 'gini'\nmax = 1\n", "unknown measure 'gini'"),
        ("[[limit]]\nmeasure = 'top_donor_share'\nmax = 40\n", "write 0.4 for 40 %, not 40"),
        ("[[limit]\n", "not valid TOML"),
        ("[[limit]]\nmeasure = 'region_share'\ntolerance = 0.1\non = 'events'\n", "on is"),
    ],
)
def test_a_wrong_limits_file_names_the_file_the_limit_and_what_to_do(text, said):
    with pytest.raises(SettingsError, match="board.toml") as e:
        parse_limits(text, "board.toml")
    assert said in str(e.value)


def test_the_check_command_exits_1_when_a_limit_is_breached_and_0_when_all_hold(tmp_path, capsys):
    assert graph_cli(["check"]) == 1
    out = capsys.readouterr().out
    assert "BREACHED  Donor concentration (HHI) at most 2,500: HHI 4,050–4,443" in out
    assert "3 of 4 limits breached now." in out
    assert "assumptions, not facts of the documents" in out
    lenient = tmp_path / "limits.toml"
    lenient.write_text(LENIENT, encoding="utf-8")
    assert graph_cli(["check", "--limits", str(lenient)]) == 0
    assert "Every limit holds now." in capsys.readouterr().out
    assert graph_cli(["check", "--limits", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read the limits file" in capsys.readouterr().err
