"""The map and the report in a real browser: headless Debian Chromium driven by Playwright, with the network blocked.

Every request that is not to the server this test starts on 127.0.0.1 is
refused and written down; each test asserts that none was attempted (the
pages carry their libraries and basemap). Nothing from the internet is faked.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LOCAL_HOSTS = ("127.0.0.1", "localhost")

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def _serve(folder: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 (a free port) while the block runs; the base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(scope="module")
def served(ovda_report) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with _serve(ovda_report.out_dir) as url:
        yield url


@pytest.fixture(scope="module")
def served_moscow(moscow_report) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with _serve(moscow_report.out_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "install Debian's chromium (apt-get install chromium); .ci/run does"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


def _open(browser, url: str):  # type: ignore[no-untyped-def]
    """Open a page with every request outside 127.0.0.1 refused; the page and its errors (a refused request is one)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)

    def route(route, request) -> None:  # type: ignore[no-untyped-def]
        if urlparse(request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            errors.append(f"request outside 127.0.0.1: {request.url}")
            route.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    return page, errors


_PANES_JS = """(root) => {
    const doc = root || document;
    const count = (sel) => doc.querySelectorAll(sel).length;
    return {basemap: count('.leaflet-basemap-pane path'), tracks: count('.leaflet-overlay-pane path.leaflet-interactive'),
            tiles: count('.leaflet-tile-pane img')};
}"""
"""Paths drawn in the basemap's pane and interactive paths in the overlay pane (tracks, circles, airports), and tile images."""


def test_map_draws_tracks_without_errors_and_opens_a_popup(browser, served: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, served + "/map.html")
    page.wait_for_selector("path.leaflet-interactive", state="attached", timeout=30_000)
    n_paths = page.locator("path.leaflet-interactive").count()
    # one polyline (at least) per leg of every sortie: more than 200 vector paths
    assert n_paths > 200, n_paths
    # the offline basemap is drawn under them (land, coast, borders: one path each at each scale), with no tile
    panes = page.evaluate(_PANES_JS)
    assert panes["basemap"] >= 3 and panes["tiles"] == 0 and panes["tracks"] == n_paths, panes
    assert page.locator(".leaflet-control-layers").count() == 1
    # click on a solid track (not a dashed gap): its popup opens, as it would for a reader
    page.mouse.move(10, 10)
    opened = False
    for i in range(0, n_paths, max(n_paths // 25, 1)):
        xy = page.evaluate(
            """(i) => { const p = document.querySelectorAll('path.leaflet-interactive')[i];
                       if (p.getAttribute('stroke-dasharray')) return null;
                       const pt = p.getPointAtLength(p.getTotalLength() / 2); const m = p.getScreenCTM();
                       return [pt.x * m.a + pt.y * m.c + m.e, pt.x * m.b + pt.y * m.d + m.f]; }""",
            i,
        )
        if not xy or not (0 < xy[0] < 1280 and 0 < xy[1] < 900):
            continue
        page.mouse.click(xy[0], xy[1])
        try:
            page.wait_for_selector(".leaflet-popup-content", timeout=3_000)
            opened = True
            break
        except Exception:  # the click landed on another layer's control or a tile: try the next track
            continue
    assert opened, "no popup opened on any track"
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "UTC" in popup and any(g in popup for g in ("observed", "inferred", "bridged", "unknown"))
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'", timeout=5_000)  # faded in
    shot = tmp_path / "map.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    assert errors == [], errors
    page.close()


def test_report_page_loads_with_map_and_charts(browser, served: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, served + "/index.html")
    assert page.locator("text=SYNTHETIC DATA.").count() >= 1
    assert page.locator("text=loads nothing from the internet").count() == 1  # said under the map
    imgs = page.locator("figure img")
    assert imgs.count() == 4
    # every chart image loaded (natural width > 0)
    widths = page.evaluate("() => Array.from(document.querySelectorAll('figure img')).map(i => i.naturalWidth)")
    assert all(w > 100 for w in widths), widths
    frame = page.frame_locator("iframe.map")
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
    panes = next(f for f in page.frames if f.url.endswith("/map.html")).evaluate(_PANES_JS)
    assert panes["basemap"] >= 3 and panes["tracks"] > 200 and panes["tiles"] == 0, panes
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert errors == [], errors
    page.close()


# --------------------------------------------------------------------------- the Moscow disruption report

_LAYERS_JS = """() => {
    const maps = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map).map(k => window[k]);
    const out = {maps: maps.length, circles: [], tracks: []};
    if (maps.length !== 1) return out;
    const box = (p) => { const b = p.getBoundingClientRect(); return [b.left, b.top, b.width, b.height]; };
    maps[0].eachLayer(l => {
        if (l instanceof L.Circle) {  // holding circles (go-around and airport dots are CircleMarkers, not Circles)
            out.circles.push({colour: l.options.color, radius_m: l.getRadius(), drawn: !!(l._path && l._path.isConnected),
                              box: l._path ? box(l._path) : null});
        } else if (l instanceof L.Polyline && !(l instanceof L.Polygon)) {
            out.tracks.push({colour: l.options.color, dashed: !!l.options.dashArray, drawn: !!(l._path && l._path.isConnected),
                             length: l._path ? l._path.getTotalLength() : 0});
        }
    });
    return out;
}"""


def test_moscow_map_draws_diverted_tracks_and_holding_circles_and_opens_a_holding_popup(  # type: ignore[no-untyped-def]
        browser, served_moscow: str, moscow_report, tmp_path: Path) -> None:
    from flighttrace.viz import PALETTE
    from flighttrace.viz.layers_disruption import KIND_COLOUR as _KIND_COLOUR
    from tests.test_moscow import truth_in

    d = moscow_report.findings.disruption
    focus = (d.focus_start, d.focus_end)
    n_div = len(truth_in("diversions", "decision", *focus))
    n_hold = len(truth_in("holdings", "start", *focus))
    div_legs = d.in_focus("diversions")["leg_id"].nunique()
    assert len(d.in_focus("diversions")) == n_div and len(d.in_focus("holdings")) == n_hold and n_hold > 0 and div_legs > 0

    page, errors = _open(browser, served_moscow + "/map.html")
    page.wait_for_selector("path.leaflet-interactive", state="attached", timeout=30_000)
    panes = page.evaluate(_PANES_JS)
    assert panes["basemap"] >= 3 and panes["tiles"] == 0, panes
    layers = page.evaluate(_LAYERS_JS)
    assert layers["maps"] == 1
    # every holding circle drawn on the screen, in the holding colour, with a radius
    circles = layers["circles"]
    assert len(circles) == n_hold
    for c in circles:
        assert c["drawn"] and c["colour"] == PALETTE[0] and c["radius_m"] >= 1000, c
        left, top, w, h = c["box"]
        assert w > 2 and h > 2 and -w < left < 1280 and -h < top < 900, c
    # one solid vermillion track per diverted leg, drawn (a path of some length); plus the tracks that held
    solid = [t for t in layers["tracks"] if not t["dashed"]]
    diverted = [t for t in solid if t["colour"] == _KIND_COLOUR["diversion"]]
    assert len(diverted) == div_legs and all(t["drawn"] and t["length"] > 50 for t in diverted), diverted
    assert any(t["colour"] == _KIND_COLOUR["holding"] and t["drawn"] for t in solid)
    # the layer control lists both layers, switched on
    control = page.locator(".leaflet-control-layers-overlays label")
    labels = {control.nth(i).inner_text().strip(): control.nth(i).locator("input").is_checked() for i in range(control.count())}
    assert labels.get(f"Diverted tracks ({n_div})") is True and labels.get(f"Holding circles ({n_hold})") is True, labels
    # a click in a holding circle's outline opens its popup
    page.mouse.move(10, 10)
    opened = ""
    for i in range(len(circles)):
        xy = page.evaluate(
            f"""(i) => {{ const p = Array.from(document.querySelectorAll('path.leaflet-interactive'))
                           .filter(e => e.getAttribute('stroke') === '{PALETTE[0]}' && e.getAttribute('fill-opacity') === '0.12')[i];
                       if (!p) return null; const pt = p.getPointAtLength(0); const m = p.getScreenCTM();
                       return [pt.x * m.a + pt.y * m.c + m.e, pt.x * m.b + pt.y * m.d + m.f]; }}""",
            i,
        )
        if not xy or not (0 < xy[0] < 1280 and 0 < xy[1] < 900):
            continue
        page.mouse.click(xy[0], xy[1])
        try:
            page.wait_for_selector(".leaflet-popup-content", timeout=3_000)
        except Exception:  # another layer lay on top there: try the next circle
            continue
        opened = page.locator(".leaflet-popup-content").inner_text()
        if "laps" in opened:
            break
    assert "Holding" in opened and "laps" in opened and "UTC" in opened, opened
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'", timeout=5_000)  # faded in
    shot = tmp_path / "moscow-map.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    assert errors == [], errors
    page.close()


def test_moscow_report_page_loads_with_its_tables_charts_and_map(browser, served_moscow: str, moscow_report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    d = moscow_report.findings.disruption
    page, errors = _open(browser, served_moscow + "/index.html")
    assert page.locator("text=SYNTHETIC DATA.").count() >= 1
    assert page.locator("tr.closure").count() == len(d.closures) > 0
    assert page.locator("#diversions + table tbody tr").count() == len(d.in_focus("diversions"))
    assert page.locator("#holdings + table tbody tr").count() == len(d.in_focus("holdings"))
    widths = page.evaluate("() => Array.from(document.querySelectorAll('figure img')).map(i => i.naturalWidth)")
    assert len(widths) == 2 and all(w > 100 for w in widths), widths
    frame = page.frame_locator("iframe.map")
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
    assert frame.locator("path.leaflet-interactive").count() >= len(d.in_focus("holdings")) + d.in_focus("diversions")["leg_id"].nunique()
    page.locator("iframe.map").scroll_into_view_if_needed()  # the screenshot shows the map inside the report
    page.screenshot(path=str(tmp_path / "moscow-report.png"), full_page=False)
    assert (tmp_path / "moscow-report.png").stat().st_size > 10_000
    assert errors == [], errors
    page.close()


# --------------------------------------------------------------------------- offline everywhere: notebook display, time slider; tiles only on demand


def _small_map(**kw):  # type: ignore[no-untyped-def]
    import pandas as pd

    from flighttrace.viz.maps import map_sorties
    from tests.test_maps import build, scenario, sorties_for

    pts, legs = build([{"icao24": "600864", "start": pd.Timestamp("2023-09-18T06:00:00Z")},
                       {"icao24": "600865", "start": pd.Timestamp("2021-05-01T06:00:00Z")}])
    return map_sorties(legs, sorties_for(legs), scenario(), points=pts, synthetic=True, **kw)


def test_a_map_shown_in_a_notebook_draws_offline(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # what Jupyter shows inline: the page in an iframe's srcdoc
    (tmp_path / "notebook.html").write_text(f"<!DOCTYPE html><html><body>{_small_map()._repr_html_()}</body></html>", encoding="utf-8")
    with _serve(tmp_path) as url:
        page, errors = _open(browser, url + "/notebook.html")
        page.frame_locator("iframe").locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
        frame = next(f for f in page.frames if f is not page.main_frame)
        panes = frame.evaluate(_PANES_JS)
        # two legs (each a seen track, a dashed gap and a dotted landing) and the three airports, over the basemap
        assert panes["tracks"] == 2 * 3 + 3 and panes["basemap"] >= 3 and panes["tiles"] == 0, panes
        assert errors == [], errors
        page.close()


def test_a_map_with_a_time_slider_draws_offline(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from flighttrace.viz.maps import save_map

    save_map(_small_map(time_slider=True), tmp_path / "slider.html")
    with _serve(tmp_path) as url:
        page, errors = _open(browser, url + "/slider.html")
        page.wait_for_selector(".leaflet-bar-timecontrol", timeout=30_000)  # the slider's control, from the page's own copy of the plugin
        page.wait_for_selector(".leaflet-basemap-pane path", state="attached", timeout=30_000)
        assert page.locator(".leaflet-bar-timecontrol .timecontrol-play").count() == 1
        page.screenshot(path=str(tmp_path / "slider.png"))
        assert errors == [], errors
        page.close()


def test_online_tiles_are_fetched_only_when_asked_for_and_the_map_says_so(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from flighttrace.viz.maps import save_map

    save_map(_small_map(tiles="OpenStreetMap"), tmp_path / "tiles.html")
    with _serve(tmp_path) as url:
        page, errors = _open(browser, url + "/tiles.html")
        page.wait_for_selector("path.leaflet-interactive", state="attached", timeout=30_000)
        page.wait_for_function("() => document.querySelectorAll('.leaflet-tile-pane img').length > 0", timeout=30_000)
        notice = page.locator(".flighttrace-notice").inner_text()
        assert "OpenStreetMap" in notice and "which area you are looking at" in notice
        refused = [e for e in errors if e.startswith("request outside 127.0.0.1:")]
        assert refused and all("tile.openstreetmap.org" in e for e in refused), refused
        page.close()


# --------------------------------------------------------------------------- print, and the links between cards and the map


def _pages(pdf: bytes) -> int:
    """Pages of a PDF that Chromium printed (one ``/Type /Page`` object each)."""
    import re

    return len(re.findall(rb"/Type\s*/Page\b", pdf))


@pytest.mark.parametrize("which", ["served", "served_moscow"])
def test_the_report_prints_in_few_a4_pages_the_finding_and_claims_in_three(browser, which: str, request) -> None:  # type: ignore[no-untyped-def]
    url = request.getfixturevalue(which)
    page, errors = _open(browser, url + "/index.html")
    whole = _pages(page.pdf(format="A4"))
    assert page.locator("details.manifest").get_attribute("open") is None  # the manifest prints collapsed
    page.add_style_tag(content="#claims ~ * { display: none !important; }")  # the finding and the claims table alone
    top = _pages(page.pdf(format="A4"))
    assert 1 <= top <= 3 and top < whole <= 15, (top, whole)
    assert errors == [], errors
    page.close()


def test_a_cards_map_link_opens_its_leg_and_the_popup_links_back(browser, served: str, ovda_report) -> None:  # type: ignore[no-untyped-def]
    import re

    ev = (ovda_report.out_dir / "evidence.html").read_text(encoding="utf-8")
    leg = re.search(r'href="map\.html#leg=([^"]+)"', ev).group(1)
    page, errors = _open(browser, f"{served}/map.html#leg={leg}")
    page.wait_for_selector(".leaflet-popup-content", timeout=30_000)
    popup = page.locator(".leaflet-popup-content")
    assert leg in popup.inner_text()
    link = popup.locator("a", has_text="evidence card")
    assert link.get_attribute("href") == f"evidence.html#{leg}" and link.get_attribute("target") == "_top"
    link.click()
    page.wait_for_url(f"**/evidence.html#{leg}", timeout=10_000)
    assert page.locator(f'[id="{leg}"]').count() == 1 and page.locator(f'[id="{leg}"]').is_visible()
    assert errors == [], errors
    page.close()
