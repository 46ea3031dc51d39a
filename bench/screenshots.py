"""Screenshots of the example site's key pages at phone and desktop widths.

    python bench/screenshots.py [--out screenshots]

Builds the example site, serves it on 127.0.0.1 and saves full-page PNGs of
the home, meeting, item and issue pages at 390 px and 1280 px wide, in light
mode, plus the item page in dark mode, using Debian's Chromium."""

from __future__ import annotations

import argparse
import functools
import os
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

from sitegen.build import build

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "/",
    "meeting": "/meetings/2011-11-16-cabinet/",
    "item": "/meetings/2011-11-16-cabinet/strategic-commissioning/",
    "issue": "/issues/strategic-commissioning/",
}


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--chromium", default=os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    site = Path(tempfile.mkdtemp()) / "site"
    build(ROOT / "content", site, search=False)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"])
        shots = [(name, width, "light") for name in PAGES for width in (390, 1280)] + [("item", 1280, "dark")]
        for name, width, scheme in shots:
            context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
            page = context.new_page()
            page.goto(base + PAGES[name], wait_until="networkidle")
            suffix = "" if scheme == "light" else "-dark"
            path = args.out / f"{name}-{width}{suffix}.png"
            page.screenshot(path=str(path), full_page=True)
            print(path)
            context.close()
        browser.close()
    httpd.shutdown()


if __name__ == "__main__":
    os.environ.setdefault("SITEGEN_TODAY", "2026-11-27")
    main()
