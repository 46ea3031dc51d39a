"""Markdown: one engine (markdown-it-py) everywhere, raw HTML shown as text, headings
shifted to fit the page, ref: links resolved, nothing that runs or leaks."""

from __future__ import annotations

import re
import sys

import pytest

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


# Lines of every kind a plain block is told apart from: plain ones, and ones a letter, a
# space, a pipe or a character away from plain (each a block of its own in markdown-it, or
# a continuation of the one before).
LINES = [
    "Members noted the report.",
    'The "Leader" said: costs (£1,200; 5%) rose #3 + 2 = 5 @ 6.30pm?',
    "Cyngor Sir Ynys Môn — café ‘quotes’ ŵ ŷ",
    "Word",
    "Trailing two  ",
    "Trailing one ",
    "Trailing\u00a0",
    " Leading space",
    "    Indented code",
    "\tTabbed",
    "2023. A year",
    "1. First",
    "2) Second",
    "- Item one",
    "- Item two",
    "* Star item",
    "+ Plus item",
    "-  Two spaces",
    "- 1. Nested",
    "- ",
    "-",
    "  - Indented item",
    "  Continued",
    "===",
    "---",
    "***",
    "# Heading",
    "> Quote",
    "| A | B |",
    "| --- | --- |",
    "|:--|--:|",
    "| :-: | --- |",
    "| 1 | 2 |",
    "| 1 | 2 | 3 |",
    "| only |",
    "| --- |",
    "|  |  |",
    "| a \\| b | c |",
    "a | b",
    "--|--",
    "*em* and _em_",
    "Some _emphasis_ and snake_case",
    "**strong** ~~struck~~",
    "`code`",
    "[link](ref:x)",
    "[x]: /url",
    "See [x] here",
    "&amp; &copy;",
    "<b>tag</b>",
    "```",
    "~~~",
    "Back\\slash",
    "",
    "   ",
]
SEPARATORS = ["\n", "\n", "\n\n", "\n\n", "\n  \n", "\n\t\n\n", "\r\n"]


TRICKY = [  # blocks that reach across blank lines, with plain blocks between
    "[x]: /url\n\nA paragraph.\n\nSee [x] here",
    "See [x] here\n\nA paragraph.\n\n[x]: /url",
    "```\n\nA paragraph.\n\n```",
    "~~~\nx\n\n| A |\n| --- |\n\n~~~",
    "- Item one\n\n- Item two\n\nA paragraph.",
    "A paragraph.\n\n* Star item\n\n* Star item",
    "1. First\n\n   Continued\n\nA paragraph.\n\n- Item one",
    "- Item one\n\n  Continued\n\n- Item two",
    "> Quote\n\nA paragraph.\n> Quote",
    "    code\n\n    more code\n\nA paragraph.\n\n    code",
    "\n\n\nA paragraph.\n\n\n",
    "    code  \n    \n\n",
]


def test_plain_blocks_tricky_texts() -> None:
    md = Markdown(resolve)
    for text in TRICKY:
        assert md._html(text, {"heading": 3}) == md.md.render(text, {"heading": 3}), text


def random_text(rng) -> str:
    """A few blocks, each a plain paragraph, list or table, or lines of any kind, joined by
    line breaks or blank lines (with spaces or tabs in them, or not)."""
    blocks = []
    for _ in range(rng.randint(1, 5)):
        shape = rng.random()
        if shape < 0.3:
            blocks.append("\n".join(rng.choice(LINES[:6]) for _ in range(rng.randint(1, 3))))
        elif shape < 0.55:
            bullet = rng.choice("-*+" if rng.random() < 0.2 else "-")
            blocks.append("\n".join(f"{bullet} {rng.choice(LINES[:6])}" for _ in range(rng.randint(1, 3))))
        elif shape < 0.8:
            width = rng.randint(1, 3)
            rows = [rng.choice(["| A ", "| £1,000 ", "|  ", "| - ", "|:", "| x y "]) for _ in range(width)]
            rule = [rng.choice(["| --- ", "|:--", "|--:", "| :-: "]) for _ in range(width)]
            body = [
                "".join(
                    rng.choice(["| 1 ", "| Pay policy ", "|", "| 12 "]) for _ in range(rng.choice([width] * 4 + [1]))
                )
                + "|"
                for _ in range(rng.randint(0, 3))
            ]
            blocks.append("\n".join(["".join(rows) + "|", "".join(rule) + "|", *body]))
        else:
            blocks.append("\n".join(rng.choice(LINES) for _ in range(rng.randint(1, 4))))
    text = blocks[0]
    for block in blocks[1:]:
        text += rng.choice(SEPARATORS[2:] * 3 + SEPARATORS) + block
    return rng.choice(["", "\n", "\n\n"]) + text + rng.choice(["", "\n", "\n\n", "\n  "])


def test_plain_blocks_are_what_markdown_it_writes() -> None:
    """The paragraphs, lists and tables written without markdown-it's parser
    (markdown.plain_blocks) are byte for byte what markdown-it writes, in random texts of
    plain and nearly plain blocks; and most texts here have a plain block (or this proves
    nothing)."""
    import random

    from sitegen.markdown import plain_blocks

    md = Markdown(resolve)
    rng = random.Random(20261206)
    plain = 0
    for n in range(20_000):
        text = random_text(rng)
        env: dict = {"heading": 3}
        expected = md.md.render(text, {"heading": 3})
        assert md._html(text, env) == expected, (n, text)
        blocks = plain_blocks(text)
        plain += blocks is not None and any(isinstance(block, str) for block in blocks)
    assert plain > 6_000, plain


def test_stock_markdown_switches_plain_blocks_off(monkeypatch) -> None:
    """SITEGEN_STOCK_MARKDOWN=1 sends every text through markdown-it."""
    for stock, expected in (("", []), ("1", ["A plain paragraph."])):
        monkeypatch.setenv("SITEGEN_STOCK_MARKDOWN", stock)
        calls: list[str] = []
        md = Markdown(resolve)
        md.md.render = lambda text, env=None, calls=calls: calls.append(text) or ""  # type: ignore[method-assign]
        md.render("A plain paragraph.")
        assert calls == expected


@pytest.mark.parametrize("site", ["example", "bilingual", "synthetic"])
def test_sites_are_the_same_with_stock_markdown(tmp_path, monkeypatch, site) -> None:
    """Every page of the example, the bilingual example and a synthetic council is byte for
    byte the same with every text through markdown-it (SITEGEN_STOCK_MARKDOWN=1)."""
    from conftest import EXAMPLE, ROOT

    from sitegen.cli import main

    content = {"example": EXAMPLE, "bilingual": ROOT / "examples" / "cyngor-cymuned" / "content"}.get(site)
    if content is None:
        sys.path.insert(0, str(ROOT / "bench"))
        import synth

        content = tmp_path / "content"
        synth.generate(40, content, executive=True)
    built = {}
    for stock in ("", "1"):
        monkeypatch.setenv("SITEGEN_STOCK_MARKDOWN", stock)
        out = tmp_path / f"out{stock}"
        assert main(["build", "--content", str(content), "--output", str(out), "--no-search", "--no-cache"]) == 0
        built[stock] = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert built[""].keys() == built["1"].keys() and len(built[""]) > 80
    for rel, data in built[""].items():
        assert data == built["1"][rel], rel
