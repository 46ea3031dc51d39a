"""Check a built site: every internal link, asset and #fragment must resolve."""

from __future__ import annotations

import os
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRS = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("id", "name") and value and (name == "id" or tag == "a"):
                self.ids.add(value)
        wanted = LINK_ATTRS.get(tag)
        if wanted:
            if tag == "link" and "canonical" in (dict(attrs).get("rel") or ""):
                return  # an absolute address on the published host
            for name, value in attrs:
                if name == wanted and value:
                    self.links.append(value)
        if tag == "meta":
            values = dict(attrs)
            if (values.get("http-equiv") or "").lower() == "refresh" and "url=" in (values.get("content") or ""):
                self.links.append((values.get("content") or "").split("url=", 1)[1].strip())


@dataclass(frozen=True, order=True)
class Broken:
    page: str
    target: str
    reason: str

    def __str__(self) -> str:
        return f"/{self.page} -> {self.target}: {self.reason}"


def check_site(output: Path, base_path: str = "/") -> tuple[int, list[Broken]]:
    """Returns (pages checked, broken links), each broken link as page -> target."""
    output = Path(output)
    pages: dict[str, _Page] = {}
    odd: list[Broken] = []
    for dirpath, dirnames, filenames in os.walk(output):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".html"):
                path = Path(dirpath) / name
                if not path.is_file():  # a link that leads nowhere or loops, a pipe, a device
                    rel = path.relative_to(output).as_posix()
                    odd.append(Broken(rel, rel, "not a regular file (a broken or looping link, or a pipe)"))
                    continue
                parser = _Page()
                parser.feed(path.read_text(encoding="utf-8", errors="replace"))
                pages[path.relative_to(output).as_posix()] = parser
    broken: list[Broken] = odd
    base = base_path if base_path.endswith("/") else base_path + "/"
    for rel, parser in pages.items():
        here = "/" + rel.rsplit("/", 1)[0] + "/" if "/" in rel else "/"
        for link in parser.links:
            problem = _resolve(output, pages, rel, here, base, link)
            if problem:
                broken.append(Broken(rel, link, problem))
    return len(pages), sorted(set(broken))


def _resolve(output: Path, pages: dict[str, _Page], rel: str, here: str, base: str, link: str) -> str | None:
    parts = urlsplit(link)
    if parts.scheme or link.startswith("//"):
        return None  # external: not ours to check
    if not parts.path:  # a fragment on the same page
        target_rel = rel
    else:
        raw = unquote(parts.path if parts.path.startswith("/") else here + parts.path)
        stack: list[str] = []
        for segment in raw.split("/"):
            if segment == "..":
                if not stack:
                    return "outside the site"
                stack.pop()
            elif segment not in ("", "."):
                stack.append(segment)
        path = "/" + "/".join(stack) + ("/" if raw.endswith("/") and stack else "")
        if not (path + ("" if path.endswith("/") else "/")).startswith(base):
            return "outside the site"
        inner = path[len(base) :] if path.startswith(base) else ""
        candidate = output / inner
        if inner == "" or inner.endswith("/"):
            candidate = candidate / "index.html"
        elif candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_file():
            return "no such page or file"
        target_rel = candidate.relative_to(output).as_posix()
    if parts.fragment:
        target = pages.get(target_rel)
        if target is None:
            return None  # a fragment in a non-HTML file cannot be checked
        if unquote(parts.fragment) not in target.ids:
            return f'no element with id "{unquote(parts.fragment)}"'
    return None
