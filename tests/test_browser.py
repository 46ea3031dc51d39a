"""The quality gate: every page type of the example site, in Debian's headless
Chromium, checked with axe-core at WCAG 2.2 A and AA (light and dark, narrow and
wide), under the site's real Content-Security-Policy; and every page through the
Nu Html Checker. Needs Chromium and Java (.ci/run installs both)."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import subprocess
import threading
import tomllib
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import ROOT

CHROMIUM = os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

PAGES = {
    "home": "/",
    "meetings index": "/meetings/",
    "year": "/meetings/2011/",
    "meeting": "/meetings/2011-11-16-cabinet/",
    "item": "/meetings/2011-11-16-cabinet/strategic-commissioning/",
    "body": "/bodies/cabinet/",
    "issue": "/issues/strategic-commissioning/",
    "person": "/people/cllr-a-khan/",
    "register": "/decisions/",
    "year's register": "/decisions/2012/",
    "awaiting": "/decisions/awaiting/",
    "search": "/search/",
    "404": "/no/such/page/",
    "scheduled meeting": "/meetings/2027-01-20-cabinet/",
    "cancelled meeting": "/meetings/2012-08-08-planning/",
    "exempt item": "/meetings/2012-01-18-cabinet/mill-lane-depot/",
    "data": "/data/",
    "bodies": "/bodies/",
    "issues": "/issues/",
    "declarations": "/declarations/",
    "how decisions are made": "/how-decisions-are-made/",
    "forward plan": "/forward-plan/",
    "forward plan entry, decided": "/forward-plan/kd-2012-07/",
    "forward plan entry, exempt": "/forward-plan/kd-2027-04/",
    "call-in": "/decisions/call-in/",
    "decision by one person, called in": "/decisions/2012-03-12-park-avenue-disposal/",
    "decision by one person, urgent": "/decisions/2026-11-02-flood-defence-repairs/",
    "decision by one person, open to call-in": "/decisions/2026-11-24-leisure-centre-charges/",
    "meeting that considered a call-in": "/meetings/2012-03-27-overview-scrutiny/",
    "cabinet member": "/people/cllr-p-grant/",
    "money committed": "/decisions/money/",
}


def required(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is needed for the quality gate; .ci/run installs it")
    pytest.skip(f"{what} is not installed")


def security_headers() -> dict[str, str]:
    config = tomllib.loads((ROOT / "netlify.toml").read_text())
    return next(h for h in config["headers"] if h["for"] == "/*")["values"]


class Handler(SimpleHTTPRequestHandler):
    """Serves the built site the way Netlify does: its headers, and 404.html for missing pages."""

    headers_to_send: dict[str, str] = {}

    def end_headers(self) -> None:
        for name, value in self.headers_to_send.items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path):  # type: ignore[no-untyped-def]
    """FOLDER served as Netlify serves a site, at the address given."""
    Handler.headers_to_send = security_headers()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


@pytest.fixture(scope="module")
def server(example_output: Path):
    with serving(example_output) as address:
        yield address


WELSH_PAGES = {
    "home": "/",
    "meeting": "/meetings/2026-05-12-cyngor/",
    "item with amendment and vote": "/meetings/2026-05-12-cyngor/grantiau/",
    "item with a recorded vote": "/meetings/2026-07-14-cyngor/maes-chwarae/",
    "register": "/decisions/",
    "awaiting": "/decisions/awaiting/",
    "person": "/people/cyng-s-hughes/",
    "search": "/search/",
    "404": "/dim/tudalen/",
    "English home": "/en/",
    "English item with a text only in Welsh": "/en/meetings/2026-06-09-pwyllgor-cynllunio/tir/",
    "English register": "/en/decisions/",
}


@pytest.fixture(scope="module")
def welsh_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Welsh example site (examples/cyngor-cymuned), built once."""
    from sitegen.cli import main

    out = tmp_path_factory.mktemp("cy") / "output"
    content = ROOT / "examples" / "cyngor-cymuned" / "content"
    assert main(["build", "--content", str(content), "--output", str(out), "--no-cache"]) == 0
    return out


@pytest.fixture(scope="module")
def welsh_server(welsh_output: Path):
    with serving(welsh_output) as address:
        yield address


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        required("Chromium (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        required("Playwright for Python")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def open_page(browser, url: str, width: int, scheme: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(url, wait_until="networkidle")
    return context, page, errors


def axe(page, source: str) -> list[dict]:  # type: ignore[no-untyped-def]
    page.evaluate(source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )


@pytest.mark.parametrize("mode", [(1280, "light"), (390, "dark")], ids=["wide-light", "narrow-dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_accessibility_violations(browser, server, axe_source, name, mode):
    width, scheme = mode
    context, page, errors = open_page(browser, server + PAGES[name], width, scheme)
    try:
        violations = axe(page, axe_source)
        assert not violations, describe(violations)
        csp = [e for e in errors if "Content Security Policy" in e]
        assert not csp, csp
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"the page scrolls sideways at {width}px ({overflow}px wide)"
    finally:
        context.close()


@pytest.mark.parametrize("mode", [(1280, "light"), (390, "dark")], ids=["wide-light", "narrow-dark"])
@pytest.mark.parametrize("name", list(WELSH_PAGES))
def test_no_accessibility_violations_in_welsh(browser, welsh_server, axe_source, name, mode):
    """The Welsh example's pages, as the English example's: axe at WCAG 2.2 AA, no CSP errors,
    nothing wider than the screen (Welsh words are longer)."""
    width, scheme = mode
    context, page, errors = open_page(browser, welsh_server + WELSH_PAGES[name], width, scheme)
    try:
        assert page.evaluate("document.documentElement.lang") == ("en" if name.startswith("English") else "cy")
        violations = axe(page, axe_source)
        assert not violations, describe(violations)
        assert not [e for e in errors if "Content Security Policy" in e]
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"the page scrolls sideways at {width}px ({overflow}px wide)"
    finally:
        context.close()


def test_welsh_search_speaks_welsh(browser, welsh_server):
    """Pagefind's own words on the Welsh search page come from sitegen's Welsh catalogue."""
    context, page, errors = open_page(browser, welsh_server + "/search/?q=grantiau", 1280, "light")
    try:
        page.wait_for_selector(".pagefind-ui__result", timeout=15000)
        message = page.inner_text(".pagefind-ui__message")
        assert "grantiau" in message and "result" not in message, message
        assert page.get_attribute(".pagefind-ui__search-input", "placeholder") != "Search"
        assert not errors, errors
    finally:
        context.close()


def test_keyboard_skip_link_and_visible_focus(browser, server):
    context, page, _ = open_page(browser, server + "/", 1280, "light")
    try:
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        assert focused == "Skip to main content"
        box = page.evaluate("JSON.stringify(document.activeElement.getBoundingClientRect())")
        assert json.loads(box)["top"] >= 0, "the skip link is not visible when focused"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", ""), "no visible focus indicator"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('main') !== null")
    finally:
        context.close()


def test_search_works_under_the_csp_with_filters(browser, server):
    context, page, errors = open_page(browser, server + "/search/", 1280, "light")
    try:
        page.fill(".pagefind-ui__search-input", "commissioning")
        page.wait_for_selector(".pagefind-ui__result", timeout=15000)
        titles = page.locator(".pagefind-ui__result-title").all_inner_texts()
        assert any("Strategic commissioning" in t for t in titles), titles
        filters = page.locator(".pagefind-ui__filter-name").all_inner_texts()
        assert {"body", "year"} <= {f.strip().lower() for f in filters}, filters
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()


def test_search_from_any_page_keeps_the_query_in_the_address(browser, server):
    """A resident on a meeting page types a word into the header's search box: the search
    page opens with results, the address carries the query, and typing updates it."""
    context, page, errors = open_page(browser, server + "/meetings/2011-11-16-cabinet/", 1280, "light")
    try:
        page.fill("#site-search-q", "commissioning")
        page.press("#site-search-q", "Enter")
        page.wait_for_url("**/search/?q=commissioning")
        page.wait_for_selector(".pagefind-ui__result", timeout=15000)
        titles = page.locator(".pagefind-ui__result-title").all_inner_texts()
        assert any("Strategic commissioning" in t for t in titles), titles
        assert page.locator('.pagefind-ui__message[role="status"]').count() == 1  # the count is announced
        page.fill(".pagefind-ui__search-input", "licensing")
        page.wait_for_function("location.search === '?q=licensing'", timeout=5000)
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()


def test_a_register_filters_by_body_type_and_standing(browser, server):
    """A journalist narrows a year's register to one body's open recommendations; the
    choice is kept in the address, and the count of rows shown is announced."""
    context, page, errors = open_page(browser, server + "/decisions/2012/", 1280, "light")
    try:
        form = page.locator("#register-filter")
        assert form.is_visible()  # shown by the script (hidden without it)
        rows = page.locator("table.register tbody tr")
        total = rows.count()
        page.select_option("#filter-body", "cabinet")
        shown = page.locator("table.register tbody tr:not([hidden])")
        assert 0 < shown.count() < total
        assert set(shown.evaluate_all("rows => rows.map(r => r.dataset.body)")) == {"cabinet"}
        page.select_option("#filter-state", "open")
        states = shown.evaluate_all("rows => rows.map(r => r.dataset.state)")
        assert states and set(states) == {"open"}
        assert page.inner_text("#filter-count") == f"Showing {len(states)} of {total}."
        assert "body=cabinet" in page.url and "state=open" in page.url
        page.reload(wait_until="networkidle")  # the address keeps the choice
        assert page.locator("table.register tbody tr:not([hidden])").count() == len(states)
        assert page.input_value("#filter-body") == "cabinet"
        assert not errors, errors
    finally:
        context.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server + "/decisions/2012/")
        assert not page.locator("#register-filter").is_visible()  # no dead controls without the script
        assert page.locator("table.register tbody tr:not([hidden])").count() > 0
    finally:
        context.close()


def test_tasks_from_the_home_page_in_few_steps(browser, server):
    """Two tasks a resident does, counted in clicks from the home page: the next Cabinet
    meeting (one click: it heads the upcoming meetings), and one body's decisions of one
    year (three: the register, the year, the body in the filter)."""
    context, page, errors = open_page(browser, server + "/", 1280, "light")
    try:
        steps = 0
        page.locator("main a", has_text="Cabinet, Wednesday 20 January 2027").first.click()
        steps += 1
        page.wait_for_url("**/meetings/2027-01-20-cabinet/")
        assert "This meeting has not yet taken place." in page.inner_text("main") and steps == 1
        page.goto(server + "/")
        steps = 0
        page.locator("main a", has_text="The decisions register").click()
        steps += 1
        page.wait_for_url("**/decisions/")
        page.get_by_role("navigation", name="Registers by year").get_by_role("link", name="2012").click()
        steps += 1
        page.wait_for_url("**/decisions/2012/")
        page.select_option("#filter-body", "council")
        steps += 1
        shown = page.locator("table.register tbody tr:not([hidden])")
        bodies = shown.evaluate_all("rows => rows.map(r => r.dataset.body)")
        dates = shown.evaluate_all("rows => rows.map(r => r.cells[0].innerText)")
        assert bodies and set(bodies) == {"council"} and all(d.endswith("2012") for d in dates)
        assert steps == 3 and not errors, errors
    finally:
        context.close()


def test_a_resident_follows_public_toilets_to_the_meeting_that_decides(browser, server):
    """On a phone: "toilets" in the header's search box, the scrutiny review among the
    results, where its recommendation stands, the meeting that will consider it, and
    that meeting added to a calendar, by following links alone."""
    context, page, errors = open_page(browser, server + "/", 390, "light")
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    try:
        page.fill("#site-search-q", "toilets")
        page.press("#site-search-q", "Enter")
        page.wait_for_selector(".pagefind-ui__result", timeout=15000)
        result = page.locator(".pagefind-ui__result-link", has_text="Review of public conveniences").first
        result.click()
        page.wait_for_load_state("networkidle")
        status = page.locator("main a", has_text="On the agenda of Cabinet, 20 January 2027").first
        assert status.is_visible()
        status.click()
        page.wait_for_url("**/meetings/2027-01-20-cabinet/")
        add = page.locator("main a", has_text="Add this meeting to your calendar")
        reply = page.request.get(server + add.get_attribute("href"))  # type: ignore[operator]
        assert reply.ok and b"BEGIN:VEVENT" in reply.body() and b"2027-01-20-cabinet@" in reply.body()
        assert not errors and not missing, (errors, missing)
    finally:
        context.close()


def test_the_navigation_folds_behind_a_menu_button_on_a_phone_without_javascript(browser, server):
    """At 390 px the main navigation is behind a "Menu" button at least 44 px tall that
    opens it with script turned off; at 1280 px the links show and the button does not."""
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
        page = context.new_page()
        try:
            page.goto(server + "/meetings/", wait_until="networkidle")
            nav = page.get_by_role("navigation", name="Main")
            link = nav.get_by_role("link", name="Awaiting decision")
            button = nav.locator("summary", has_text="Menu")
            if width == 1280:
                assert link.is_visible() and not button.is_visible()
                continue
            assert button.is_visible() and not link.is_visible()
            box = button.bounding_box()
            assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
            button.focus()
            page.keyboard.press("Enter")
            assert link.is_visible()
            link.click()
            page.wait_for_url("**/decisions/awaiting/")
        finally:
            context.close()


def test_a_journalist_finds_what_council_has_still_to_decide_by_keyboard(browser, server):
    """From the home page with the keyboard alone: the navigation's "Awaiting decision",
    Council's list, and a recommendation's own page with where it stands."""
    context, page, errors = open_page(browser, server + "/", 1280, "light")
    try:
        for _ in range(40):  # Tab until the navigation's link has the focus
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == "Awaiting decision":
                break
        else:
            raise AssertionError("the navigation's Awaiting decision link is not reachable by Tab")
        page.keyboard.press("Enter")
        page.wait_for_url("**/decisions/awaiting/")
        council = page.locator("section", has=page.locator("h2", has_text="For Council"))
        first = council.locator("li a").first
        name = first.inner_text()
        first.focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
        assert "Status:" in page.inner_text("main") and name.split(",")[0] in page.inner_text("main")
        assert not errors, errors
    finally:
        context.close()


def test_no_two_pages_share_a_title(example_output: Path, tmp_path: Path):
    """Every page's <title> says what it is: on the example and on a synthetic council."""
    import re
    import sys

    from sitegen.cli import main

    sys.path.insert(0, str(ROOT / "bench"))
    import synth

    synth.generate(300, tmp_path / "content")
    assert (
        main(["build", "--content", str(tmp_path / "content"), "--output", str(tmp_path / "out"), "--no-search"]) == 0
    )
    for site in (example_output, tmp_path / "out"):
        seen: dict[str, str] = {}
        for path in sorted(site.rglob("*.html")):
            title = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8")).group(1)  # type: ignore[union-attr]
            if title == "This page has moved":
                continue  # a redirect's
            rel = path.relative_to(site).as_posix()
            assert title not in seen, f"{rel} and {seen[title]} share the title {title!r}"
            seen[title] = rel


def test_search_without_javascript_points_to_the_indexes(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server + "/search/")
        assert "Search needs JavaScript" in page.inner_text("main")
        assert page.locator("main a[href='/meetings/']").count() == 1
    finally:
        context.close()


def test_print_stylesheet_hides_navigation(browser, server):
    context, page, _ = open_page(
        browser, server + "/meetings/2011-11-16-cabinet/strategic-commissioning/", 1280, "light"
    )
    try:
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header nav')).display") == "none"
        assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).display") == "none"
        assert page.evaluate("getComputedStyle(document.querySelector('.minutes')).display") != "none"
    finally:
        context.close()


@pytest.mark.parametrize("site", ["example", "welsh"])
def test_every_page_is_valid_html(request, site: str):
    output = request.getfixturevalue("example_output" if site == "example" else "welsh_output")
    jar = os.environ.get("VNU_JAR", "")
    if not jar or not Path(jar).is_file():
        required("The Nu Html Checker (VNU_JAR)")
    if not shutil.which("java"):
        required("Java")
    files = sorted(str(p) for p in output.rglob("*.html"))
    result = subprocess.run(
        ["java", "-jar", jar, "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{m.get('url', '').split('/output/')[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error"
    ]
    assert not errors, "\n".join(errors[:30])
    assert result.returncode == 0
