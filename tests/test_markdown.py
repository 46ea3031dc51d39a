"""Markdown: one engine (markdown-it-py) everywhere, raw HTML shown as text, headings
shifted to fit the page, ref: links resolved, nothing that runs or leaks."""

from __future__ import annotations

import re

from sitegen.markdown import Markdown

EDGES = [
    "<script>alert(1)</script>",
    "a <b>bold</b> d",
    '[a](ref:2011-11-16-cabinet/strategic-commissioning) [b](ref:no/such) [c](ref:a?x=1&y="2")',
    "# One\n\n## Two\n\n###### Six\n\nSetext\n======\n",
    "* a\n* b\n\n1. x\n2) y",
    "| a | b |\n|:--|--:|\n| 1 \\| 2 | `x|y` |\n| only |",
    "~~struck~~ **bold** _em_ `code` ***both***",
    "&amp; &copy; &#x27; &nbsp; &bogus;",
    "> quote\n> > nested\n\n---\n\n    indented code <x>\n\n```py\nx < y\n```",
    "Unicode: Cyngor Sir Ynys Môn — café ‘quotes’",
    "Item\n:-\nx",  # a table in one engine and a paragraph in another, once: here always the same
]


def resolve(ref: str) -> str | None:
    return "/meetings/x/?a=1&b=<2>" if ref.startswith("2011") else None


def test_raw_html_is_text_and_tags_are_the_renderers_own() -> None:
    md = Markdown(resolve)
    for text in EDGES:
        html = md.render(text)
        assert "<script" not in html and "<b>" not in html, text
        tags = set(re.findall(r"</?([a-z0-9]+)", html))
        allowed = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th",
                   "td", "s", "strong", "em", "code", "pre", "blockquote", "hr", "a", "br"}  # fmt: skip
        assert tags <= allowed, (text, tags - allowed)


def test_headings_are_shifted_and_capped() -> None:
    md = Markdown(resolve)
    assert md.render("# One\n\n## Two\n\n###### Six", 3) == "<h3>One</h3>\n<h4>Two</h4>\n<h6>Six</h6>\n"
    assert md.render("# One", 1) == "<h1>One</h1>\n"


def test_ref_links_resolve_and_escape() -> None:
    md = Markdown(resolve)
    html = md.render(EDGES[2])
    assert 'href="/meetings/x/?a=1&amp;b=&lt;2&gt;"' in html
    assert 'href="#"' in html  # a broken one leads nowhere (and check() reports it)
    assert md.check(EDGES[2]) == [(0, "no/such"), (0, "a?x=1&y=%222%22")]


def test_the_same_bytes_whatever_the_python() -> None:
    """The engine is pure Python; these bytes are fixed here, so a change of engine or
    version that changes a site's HTML fails this test."""
    md = Markdown(resolve)
    assert md.render("Item\n:-\nx") == "<p>Item\n:-\nx</p>\n"
    assert md.render("a | b\n--|--\n1 | 2") == (
        "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n"
        "<td>2</td>\n</tr>\n</tbody>\n</table>\n"
    )
