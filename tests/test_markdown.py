"""The two Markdown engines (markdown-it-pyrs when installed, markdown-it-py always)
must turn every text into the same HTML, so a site's bytes never depend on which is
installed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT

from sitegen.build import load
from sitegen.incremental import prose
from sitegen.markdown import Markdown, markdown_it_pyrs

EDGES = [
    "<script>alert(1)</script>",
    "a <b>bold</b> <!-- c --> d",
    "[click](javascript:alert(1)) [x](vbscript:y) ![i](data:image/png;base64,AAAA)",
    '[a](ref:2011-11-16-cabinet/strategic-commissioning) [b](ref:no/such) [c](ref:a?x=1&y="2")',
    "# One\n\n## Two\n\n###### Six\n\nSetext\n======\n",
    '"Quotes" -- dashes... (c) +-',
    "* a\n* b\n\n1. x\n2) y\n\n- [ ] task",
    "| a | b |\n|:--|--:|\n| 1 \\| 2 | `x|y` |\n| only |",
    "~~struck~~ **bold** _em_ `code` ***both***",
    "<https://example.org/?a&b> https://bare.example.org mail@example.org",
    "line\\\nbreak and two spaces  \nbreak",
    "&amp; &copy; &#x27; &nbsp; &bogus;",
    "> quote\n> > nested\n\n---\n\n    indented code <x>\n\n```py\nx < y\n```",
    "[ref]\n\n[ref]: https://example.org 'Title \"q\"'",
    "Unicode: Cyngor Sir Ynys Môn — café ‘quotes’ [ü](https://example.org/ü space)",
    # tables whose header or delimiter row does not start with "|", first and later in a text
    "a | b\n--|--\n1 | 2",
    "Intro.\n\n| a | b\n:-- | --:\n| 1 | 2",
    "Intro.\n\n  a | b |\n  |--|--|\n  1 | 2 |\n\nAfter.",
    "| a | b |\n - | -\n| 1 | 2 |",
    "-\n-|",
    "Intro.\n\n|a|\n\nb-\n:\n-:\n-\nb1 b",
    # deep nesting, at the start and on a later line
    "> > > > > > > > > > > > > > > > > > > > > > deep",
    "Intro.\n" + "- " * 30 + "deep\n" + "1. " * 12 + "deeper",
]


def texts() -> list[str]:
    found = list(EDGES)
    for path in sorted((ROOT / "tests" / "corpus").rglob("*")):
        if path.is_file() and path.suffix in (".md", ".yaml"):
            found.append(path.read_text(errors="replace"))
    return found


def engines(resolve) -> tuple[Markdown, Markdown]:  # type: ignore[no-untyped-def]
    if markdown_it_pyrs is None:
        if os.environ.get("CI") and sys.version_info < (3, 13):
            pytest.fail("markdown-it-pyrs should be installed (it is a dependency on this Python)")
        pytest.skip("markdown-it-pyrs is not installed on this Python")
    return Markdown(resolve, "python"), Markdown(resolve, "rust")


def same(python: Markdown, rust: Markdown, text: str) -> None:
    for heading in (1, 2, 3, 4):
        assert rust.render(text, heading) == python.render(text, heading), (text[:200], heading)
    assert rust.inline(text) == python.inline(text)


def test_engines_agree_on_edge_cases() -> None:
    python, rust = engines(lambda ref: "/meetings/x/?a=1&b=<2>" if ref.startswith("2011") else None)
    for text in texts():
        same(python, rust, text)


def test_engines_agree_on_every_text_of_the_example_and_a_synthetic_council(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import synth

    synth.generate(60, tmp_path / "content")
    for content in (EXAMPLE, tmp_path / "content"):
        loaded = load(content)
        python, rust = engines(loaded.markdown.resolve)
        count = 0
        for meeting in loaded.model.meetings.values():
            for text in prose(meeting):
                same(python, rust, text)
                count += 1
        for body in loaded.model.bodies.values():
            if body.description:
                same(python, rust, body.description)
        assert count > 100


def test_the_fast_engine_is_used_when_installed() -> None:
    if markdown_it_pyrs is None:
        pytest.skip("markdown-it-pyrs is not installed on this Python")
    assert Markdown(lambda ref: None).engine == "rust"
    assert Markdown(lambda ref: None, "python").engine == "python"
