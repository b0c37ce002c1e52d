"""The map and the report in a real browser: headless Debian Chromium driven by Playwright.

Tests have no internet, so CDN requests are answered from the vendored copies in
fixtures/web (by file name); anything else outside 127.0.0.1 (map tiles, fonts)
gets an empty answer. The report is served by a server this test starts on 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

ASSETS = Path(__file__).resolve().parents[1] / "fixtures" / "web"
CHROMIUM = Path("/usr/bin/chromium")
ALIASES = {"jquery-3.7.1.min.js": "jquery.min.js"}
"""CDN file names that differ from the vendored copies' names."""
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a5f30000000049454e44ae426082"
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(ovda_report) -> Iterator[str]:  # type: ignore[no-untyped-def]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(ovda_report.out_dir))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


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


def _route(route, request) -> None:  # type: ignore[no-untyped-def]
    url = urlparse(request.url)
    if url.hostname in ("127.0.0.1", "localhost"):
        route.continue_()
        return
    name = Path(url.path).name
    local = ASSETS / ALIASES.get(name, name)
    if local.is_file():
        ctype = "application/javascript" if local.suffix == ".js" else "text/css"
        route.fulfill(status=200, body=local.read_bytes(), headers={"content-type": ctype, "access-control-allow-origin": "*"})
    elif url.path.endswith(".png"):
        route.fulfill(status=200, body=BLANK_PNG, headers={"content-type": "image/png"})
    else:
        route.fulfill(status=200, body=b"", headers={"content-type": "text/plain"})


def _open(browser, url: str):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.route("**/*", _route)
    page.goto(url, wait_until="load")
    return page, errors


def test_map_draws_tracks_without_errors_and_opens_a_popup(browser, served: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, served + "/map.html")
    page.wait_for_selector("path.leaflet-interactive", state="attached", timeout=30_000)
    n_paths = page.locator("path.leaflet-interactive").count()
    # one polyline (at least) per leg of every sortie: more than 200 vector paths
    assert n_paths > 200, n_paths
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
    shot = tmp_path / "map.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    assert errors == [], errors
    page.close()


def test_report_page_loads_with_map_and_charts(browser, served: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, served + "/index.html")
    assert page.locator("text=SYNTHETIC DATA.").count() >= 1
    imgs = page.locator("figure img")
    assert imgs.count() == 4
    # every chart image loaded (natural width > 0)
    widths = page.evaluate("() => Array.from(document.querySelectorAll('figure img')).map(i => i.naturalWidth)")
    assert all(w > 100 for w in widths), widths
    frame = page.frame_locator("iframe.map")
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert errors == [], errors
    page.close()
