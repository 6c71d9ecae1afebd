"""The app in a real browser: headless Chromium driven by Playwright.

Starts ``streamlit run app.py`` on a free loopback port with the XSS fixture
(``tests/fixtures/minimal``) as the in-memory data, opens every page, takes a screenshot of
each (``tests/_artifacts/``), checks that the network canvas draws, that no request leaves
the machine and that no script from the hostile names runs (no dialog ever opens).

Needs Debian's ``chromium`` (``/usr/bin/chromium``, or ``CHROMIUM_PATH``) and the
``playwright`` Python package; ``.ci/run`` installs both. Nothing here is skipped: a missing
browser is an error that says how to install it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "_artifacts"
FIXTURE = ROOT / "tests" / "fixtures" / "minimal"
XSS_NAMES = ("<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>")

#: url path of each page (st.Page takes it from the file name) and its title.
PAGES = [
    ("", "Overview"),
    ("concentration", "Donor concentration"),
    ("regional", "Regional balance"),
    ("network", "Partnership network"),
    ("scenarios", "Scenarios"),
    ("strategy", "Strategy"),
    ("prospects", "Prospects"),
    ("collaborations", "Collaborations by region"),
    ("data", "Data"),
]

pytestmark = pytest.mark.browser


def _chromium() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise RuntimeError(
            f"no Chromium at {path}: install Debian's package (apt-get install chromium) "
            "or set CHROMIUM_PATH"
        )
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(data_dir: Path | None, log_name: str):
    """Run the app on a free port; yield its URL; check its log after it stops."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    env.pop("EXPLORER_DATA_DIR", None)
    if data_dir is not None:
        env["EXPLORER_DATA_DIR"] = str(data_dir)
    log_path = ARTIFACTS / log_name
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start; log:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    text = log_path.read_text()
    assert "deprecat" not in text.lower(), f"deprecation warning in the app's log:\n{text[-3000:]}"
    assert "Traceback" not in text, f"traceback in the app's log:\n{text[-3000:]}"


@pytest.fixture(scope="module")
def app_url():
    """The app on the XSS fixture (hostile names in every kind of record)."""
    yield from _serve(FIXTURE, "streamlit-fixture.log")


@pytest.fixture(scope="module")
def bundled_url():
    """The app on the bundled dataset, as a user first sees it."""
    yield from _serve(None, "streamlit-bundled.log")


@pytest.fixture(scope="module")
def generated_url(tmp_path_factory):
    """The app on a generated portfolio (``python -m loaders generate --flows 1000``): long
    names and amounts in the hundreds of millions, as a donor agency's published data has."""
    from loaders.generate import generate

    data = tmp_path_factory.mktemp("generated")
    generate(data, flows=1000, seed=1)
    yield from _serve(data, "streamlit-generated.log")


@pytest.fixture(scope="module")
def planning_url(tmp_path_factory):
    """The app on the bundled dataset with the README's example renewals loaded as records."""
    data = tmp_path_factory.mktemp("planning") / "data"
    shutil.copytree(ROOT / "data", data)
    shutil.copy(ROOT / "examples" / "planning" / "renewals.csv", data / "renewals.csv")
    yield from _serve(data, "streamlit-planning.log")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=_chromium(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    """A page that records every request (and blocks any that leaves the machine) and every
    dialog (and dismisses it)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    outside, dialogs = [], []

    def route(r):
        host = urlsplit(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:", "about:")) or host in (
            "127.0.0.1",
            "localhost",
        ):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.outside, pg.dialogs = outside, dialogs
    yield pg
    context.close()
    assert not outside, f"requests left the machine: {outside}"
    assert not dialogs, f"a script from the data ran and opened a dialog: {dialogs}"


def _settle(pg, title: str):
    pg.get_by_role("heading", name=title, level=1).first.wait_for(timeout=45_000)
    # wait until the script run is over: the status widget offers "Stop" while it runs
    deadline = time.monotonic() + 90
    quiet = 0
    while time.monotonic() < deadline and quiet < 8:
        running = pg.locator('[data-testid="stStatusWidget"]').get_by_text("Stop").count()
        skeleton = pg.locator('[data-testid="stSkeleton"]').count()
        quiet = 0 if running or skeleton else quiet + 1
        pg.wait_for_timeout(250)
    pg.wait_for_timeout(1000)  # charts and iframes finish drawing


def _shoot(pg, name: str):
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so the
    viewport is made as tall as that block for the picture and set back after."""
    height = pg.evaluate(
        """() => Math.max(document.body.scrollHeight,
                          ...Array.from(document.querySelectorAll('div, section, main'))
                                 .map(e => e.scrollHeight))"""
    )
    size = pg.viewport_size
    pg.set_viewport_size(
        {"width": size["width"], "height": max(size["height"], min(int(height), 12000))}
    )
    pg.wait_for_timeout(800)
    pg.screenshot(path=str(ARTIFACTS / name), full_page=True)
    pg.set_viewport_size(size)


#: Widths at which every headline figure (label, value, note) must show whole: a laptop
#: with the sidebar open, and the width of the screenshots.
WIDTHS = (1024, 1440)

#: The headline figures' texts that Streamlit cut off with an ellipsis (wider than their box).
_CUT = """() => [...document.querySelectorAll(
        '[data-testid=stMetricLabel], [data-testid=stMetricValue], [data-testid=stMetricDelta]')]
    .flatMap(e => [e, ...e.querySelectorAll('*')])
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => e.innerText)"""


def _nothing_cut(pg, where: str):
    size = pg.viewport_size
    for width in WIDTHS:
        pg.set_viewport_size({"width": width, "height": size["height"]})
        pg.wait_for_timeout(400)
        cut = sorted(set(pg.evaluate(_CUT)))
        assert not cut, f"{where} at {width} pixels: cut off with an ellipsis: {cut}"
    pg.set_viewport_size(size)


def _no_injected_elements(pg):
    for frame in pg.frames:
        assert frame.locator('img[src="x"]').count() == 0, "an <img> from the data was injected"


@pytest.mark.parametrize("which", ["fixture", "bundled", "generated"])
def test_every_page_renders(page, request, which):
    """Every page renders with no exception, no element injected from the data, and every
    headline figure whole (no ``USD 1,449,4…``)."""
    url = request.getfixturevalue({"fixture": "app_url"}.get(which, f"{which}_url"))
    for path, title in PAGES:
        page.goto(f"{url}/{path}")
        _settle(page, title)
        assert page.locator('[data-testid="stException"]').count() == 0, f"{title}: exception shown"
        _shoot(page, f"{which}-{path or 'overview'}.png")
        _no_injected_elements(page)
        _nothing_cut(page, title)


def test_network_canvas_draws_and_names_stay_text(page, app_url):
    page.goto(f"{app_url}/network")
    _settle(page, "Partnership network")
    frame = None
    deadline = time.monotonic() + 30
    while frame is None and time.monotonic() < deadline:
        for f in page.frames:
            if f != page.main_frame and f.locator("#net").count():
                frame = f
        page.wait_for_timeout(250)
    assert frame is not None, "the network iframe did not load"
    frame.locator("body[data-drawn='1']").wait_for(timeout=20_000)
    painted = frame.evaluate(
        """() => { const c = document.querySelector('#net canvas');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
    )
    assert painted > 500, f"the network canvas is blank ({painted} painted pixels)"
    # the search box finds a hostile name and the details panel shows it as text
    for name in XSS_NAMES:
        box = frame.locator("#search")
        box.fill(name)
        box.press("Enter")
        box.dispatch_event("change")
        frame.locator("#details b").wait_for(timeout=5000)
        assert frame.locator("#details b").inner_text() == name
    # any text is text: names of JavaScript's own object properties find nothing, no error
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for word in ("constructor", "__proto__", "toString", "hasOwnProperty"):
        box = frame.locator("#search")
        box.fill(word)
        box.dispatch_event("change")
        page.wait_for_timeout(200)
        assert frame.locator("#msg").inner_text() == "Not found", word
    assert not errors, errors
    _shoot(page, "network-search.png")
    _no_injected_elements(page)


def test_network_first_view_is_readable_and_the_ego_view_centred(browser, bundled_url):
    """Issue 11: the first view fits the main group and labels its main nodes; the legend
    tells sector "network" from the kind network and says what sizes mean; the ego view is
    centred on its organization with every neighbour in view."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{bundled_url}/network")
        _settle(page, "Partnership network")
        frame = next(f for f in page.frames if f != page.main_frame and f.locator("#net").count())
        frame.locator("body[data-drawn='1']").wait_for(timeout=20_000)
        legend = frame.locator(".legend").inner_text()
        assert "organization: network" in legend and "network (triangle)" in legend
        assert "organization: UN system" in legend and "un system" not in legend
        swatches = frame.evaluate(
            """() => Array.from(document.querySelectorAll('.legend div'))
                 .filter(d => d.querySelector('.sw'))
                 .map(d => [d.textContent.trim(), d.querySelector('.sw').style.background])"""
        )
        colours = dict(swatches)
        assert colours["organization: network"] != colours["network (triangle)"]
        assert frame.locator(".sizes div").count() == 3  # the size legend
        scale = frame.evaluate("() => window.__network.getScale()")
        assert scale > 0.3, f"the first view is zoomed out too far ({scale})"
        _shoot(page, "network-first-view.png")

        box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Ego view").first
        box.locator("input").first.click()
        page.keyboard.type("Huawei")
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
        _settle(page, "Partnership network")
        frame = next(f for f in page.frames if f != page.main_frame and f.locator("#net").count())
        frame.locator("body[data-drawn='1']").wait_for(timeout=20_000)
        page.wait_for_timeout(500)
        placed = frame.evaluate(
            """() => { const n = window.__network, ids = n.body.nodeIndices;
                       const sel = n.getSelectedNodes()[0];
                       const at = n.getPositions(ids), dom = {};
                       ids.forEach(i => dom[i] = n.canvasToDOM(at[i]));
                       const box = document.getElementById('net');
                       return {sel: dom[sel], all: Object.values(dom),
                               w: box.clientWidth, h: box.clientHeight}; }"""
        )
        w, h = placed["w"], placed["h"]
        assert abs(placed["sel"]["x"] - w / 2) < 5 and abs(placed["sel"]["y"] - h / 2) < 5
        assert all(0 <= p["x"] <= w and 0 <= p["y"] <= h for p in placed["all"])
        _shoot(page, "network-ego.png")
    finally:
        context.close()


def _said(pg) -> str:
    return " ".join(pg.locator('[data-testid="stMarkdownContainer"]').all_inner_texts())


def test_strategy_page_edits_a_chance_and_downloads_loadable_records(browser, planning_url):
    """Issue 13: the renewals loaded as records start the page's table; a chance edited in
    the grid moves the projection (and the sidebar's limits) at once; the downloaded CSV
    loads back as records with the edit."""
    from loaders.load import check_rows, load_memory
    from loaders.readers import read_file

    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{planning_url}/strategy")
        _settle(page, "Strategy")
        assert "expected USD 1,785,788 a year" in _said(page)
        assert page.locator('[data-testid="stVegaLiteChart"]:visible').count() >= 2
        _shoot(page, "strategy-projection.png")
        for tab, name in (("Concentration and balance", "balance"), ("What it takes", "takes")):
            page.get_by_role("tab", name=tab).click()
            _settle(page, "Strategy")
            _shoot(page, f"strategy-{name}.png")
        page.get_by_role("tab", name="Assumptions").click()
        _settle(page, "Strategy")
        grid = page.locator('[data-testid="stDataFrame"]:visible').first
        box = grid.bounding_box()
        # first row (decentralized funds, 70 %), fifth column (Chance): 30 % instead
        page.mouse.click(box["x"] + 60, box["y"] + 35 + 17)
        page.wait_for_timeout(500)
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")  # opens the cell's editor
        page.wait_for_timeout(500)
        page.keyboard.press("Control+A")
        page.keyboard.type("0.3")
        page.wait_for_timeout(300)  # the grid's editor takes the text before Enter commits it
        page.keyboard.press("Enter")
        # 1,785,788 less 0.4 of the decentralized funds' 2024 level (USD 836,880)
        want = f"expected USD {1_785_787.5 - 0.4 * 836_880:,.0f} a year"
        deadline = time.monotonic() + 30
        while want not in _said(page) and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        _settle(page, "Strategy")
        if want not in _said(page):
            _shoot(page, "strategy-edit-failed.png")
        assert want in _said(page)
        _shoot(page, "strategy-assumptions.png")
        with page.expect_download() as download:
            page.get_by_role("button", name="renewals.csv").click()
        assert download.value.suggested_filename == "renewals.csv"
        data = Path(download.value.path()).read_bytes()
        rows, problems = read_file("renewals.csv", name="renewals.csv", data=data)
        records, problems = check_rows(rows, problems, store=load_memory())
        assert not problems, problems
        chance = {r["renewal_id"]: r["probability"] for r in records["renewals"]}
        assert chance["r-decentralized"] == pytest.approx(0.3) and len(chance) == 5
    finally:
        context.close()


def test_published_data_uploaded_as_external_shows_its_funders_as_prospects(browser, planning_url):
    """Issue 13, part 3, in the browser: a real IATI file uploaded on the Data page as
    published data about other funders; the Prospects page names its funder and what one
    grant of it would change; the Overview's figures stay as they were."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{planning_url}/")
        _settle(page, "Overview")
        metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
        page.goto(f"{planning_url}/data")
        _settle(page, "Data")
        page.locator('input[type="file"]').first.set_input_files(
            str(ROOT / "tests" / "fixtures" / "real" / "iati" / "CD.xml")
        )
        _settle(page, "Data")
        page.get_by_text("Published data about other funders").first.click()
        _settle(page, "Data")
        page.get_by_role("button", name="Load into the store").click()
        _settle(page, "Data")
        assert "Loaded." in _said(page)
        page.get_by_role("link", name="Prospects").click()
        _settle(page, "Prospects")
        said = _said(page)
        assert "1 funder in the published data funds Education" in said
        assert "the expected HHI goes from" in said
        _shoot(page, "prospects.png")
        page.get_by_role("link", name="Overview").click()
        _settle(page, "Overview")
        page.get_by_text("Published data about other funders is loaded too").wait_for(
            timeout=20_000
        )
        assert page.locator('[data-testid="stMetricValue"]').all_inner_texts() == metrics
        _shoot(page, "overview-with-external-data.png")
    finally:
        context.close()
