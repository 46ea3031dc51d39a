"""Markdown for prose fields: CommonMark plus tables, raw HTML shown as text,
``ref:`` links resolved to the right address, headings shifted to fit the page.

Two engines give the same HTML: markdown-it-pyrs (markdown-it in Rust, about
twenty times faster) where it is installed, and markdown-it-py everywhere else.
markdown-it-py also finds the lines of broken ``ref:`` links for error messages.
The test suite renders every text of the example site and the synthetic bench
council with both and requires the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markupsafe import Markup

try:  # wheels exist for CPython up to 3.12
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - depends on the platform
    markdown_it_pyrs = None

Resolver = Callable[[str], "str | None"]


class Markdown:
    """Renders prose; ``resolve`` maps 'MEETING/ITEM/DECISION' to a URL or None."""

    def __init__(self, resolve: Resolver, engine: str = "auto") -> None:
        """ENGINE: "auto" (the fast one when installed), "python" or "rust"."""
        self.resolve = resolve
        md = MarkdownIt("commonmark", {"html": False, "typographer": False})
        md.enable(["table", "strikethrough"])
        md.core.ruler.push("sitegen_refs", self._refs)
        md.add_render_rule("heading_open", _heading_open)
        md.add_render_rule("heading_close", _heading_close)
        self.md = md
        self.fast = None
        if engine == "rust" or (engine == "auto" and markdown_it_pyrs is not None):
            if markdown_it_pyrs is None:
                raise RuntimeError("markdown-it-pyrs is not installed")
            fast = markdown_it_pyrs.MarkdownIt("zero")
            fast.enable_many(FAST_RULES)
            self.fast = fast
        self.engine = "rust" if self.fast is not None else "python"
        self.cache: dict[tuple[str, int], Markup] = {}

    def _refs(self, state: StateCore) -> None:
        broken = state.env.setdefault("broken", [])
        line = 0
        for token in state.tokens:
            if token.map:
                line = token.map[0]
            breaks = 0  # the line breaks before a link in its paragraph: the link's own line
            for child in token.children or ():
                if child.type in ("softbreak", "hardbreak"):
                    breaks += 1
                if child.type != "link_open":
                    continue
                href = str(child.attrGet("href") or "")
                if not href.startswith("ref:"):
                    continue
                target = href[4:]
                url = self.resolve(target)
                if url is None:
                    broken.append((line + breaks, target))
                    child.attrSet("href", "#")
                else:
                    child.attrSet("href", url)

    def check(self, text: str) -> list[tuple[int, str]]:
        """Broken ref: links in text, as (0-based line within text, ref)."""
        if "ref:" not in text:
            return []
        env: dict = {}
        self.md.parse(text, env)
        return env.get("broken", [])

    def lint(self, text: str) -> list[tuple[int, str]]:
        """What in TEXT would not be published as typed, as (0-based line within text, message):
        a text too long or with too many link definitions to render in good time, links
        that run script, images from other sites, nesting deeper than Markdown shows."""
        if len(text) > MAX_TEXT:
            return [
                (
                    0,
                    f"the text is {len(text):,} characters long; the limit is {MAX_TEXT:,}: split it, or "
                    "put the full document under files/ and link it",
                )
            ]
        out = []
        definitions = len(_DEFINITION.findall(text)) if "]:" in text else 0
        if definitions > MAX_DEFINITIONS:
            out.append((0, f"the text defines {definitions} link references; the limit is {MAX_DEFINITIONS}"))
            return out
        for found in _UNSAFE_LINK.finditer(text):
            out.append(
                (
                    text.count("\n", 0, found.start()),
                    f'a link to "{found.group(2)}:" is not published '
                    "(it could run script); link to an https:// address, a ref: or a file under files/",
                )
            )
        for found in _REMOTE_IMAGE.finditer(text):
            out.append(
                (
                    text.count("\n", 0, found.start()),
                    "an image from another site is not shown: it would tell "
                    "that site who reads the page; put the image under files/ and link it from there",
                )
            )
        if _has_prefix(text) or "\n" + " " * 12 in text:
            deepest = max((t for t in self.md.parse(text, {}) if t.map), key=lambda t: t.level, default=None)
            if deepest is not None and deepest.level >= self.md.options["maxNesting"] - 2:
                out.append(
                    (
                        deepest.map[0],
                        "lists or quotes are nested too deep here for the page to show what is "  # type: ignore[index]
                        "inside them; nest them less deeply",
                    )
                )
        return out

    def render(self, text: str, heading: int = 3) -> Markup:
        """HTML for a prose field; its headings start at level ``heading``."""
        if not text:
            return Markup("")
        key = (text, heading)
        html = self.cache.get(key)
        if html is None:
            if self.fast is None or _deep(text):
                out = self.md.render(text, {"heading": heading})
            else:
                out = self._fast(text, heading)
            if "<li></li>" in out:  # an empty list item: a bullet with nothing to read
                out = _EMPTY_ITEM.sub("", out)
            html = self.cache[key] = Markup(out)
        return html

    def _fast(self, text: str, heading: int) -> str:
        html = self.fast.render(text)  # type: ignore[union-attr]
        if heading != 1 and "<h" in html:
            html = _HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + heading - 1)}>", html)
        if "<blockquote>\n</blockquote>" in html:
            html = html.replace("<blockquote>\n</blockquote>", "<blockquote></blockquote>")
        if 'href="ref:' in html:
            html = _REF.sub(self._ref_href, html)
        return html

    def _ref_href(self, match: re.Match[str]) -> str:
        url = self.resolve(_unescape(match[1]))
        return 'href="#"' if url is None else f'href="{_escape(url)}"'

    def inline(self, text: str) -> Markup:
        """A one-line prose field without the surrounding paragraph."""
        html = self.render(text)
        if html.startswith("<p>") and html.endswith("</p>\n") and html.count("<p>") == 1:
            return Markup(html[3:-5])
        return html


MAX_TEXT = 100_000  # characters in one prose field: each renders in well under a second
MAX_DEFINITIONS = 500  # link reference definitions in one text (their cost grows as their square)
_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.M)
_UNSAFE_LINK = re.compile(r"(\]\(\s*<?|^ {0,3}\[[^\]\n]*\]:\s*<?)\s*(javascript|vbscript|file|data):", re.I | re.M)
_REMOTE_IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*<?\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
_EMPTY_ITEM = re.compile(r"<li></li>\n?")


def suspect(text: str) -> bool:
    """Whether Markdown.lint could find anything in TEXT (cheap: most texts are not)."""
    return (
        len(text) > MAX_TEXT
        or ("]:" in text and len(_DEFINITION.findall(text)) > MAX_DEFINITIONS)
        or (":" in text and _UNSAFE_LINK.search(text) is not None)
        or ("![" in text and _REMOTE_IMAGE.search(text) is not None)
        or _has_prefix(text)
        or "\n" + " " * 12 in text
    )


# markdown-it-py's "commonmark" preset with html off, plus tables and strikethrough
FAST_RULES = [
    *("blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference"),
    *("autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline"),
    *("table", "strikethrough"),
]
# With raw HTML off, the only tags in the output are the renderer's own.
_HEADING = re.compile(r"<(/?)h([1-6])>")
_REF = re.compile(r'href="ref:([^"]*)"')
_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"))


# markdown-it-py stops nesting blocks at depth 20 and markdown-it-pyrs later, so texts
# that could nest that deep (long runs of list or quote markers, many brackets) go
# to markdown-it-py.
# (a line that starts with 12 or more of these characters: [ \t>*+\-\d.)])
# The engines agree on tables whose header and delimiter rows both start with "|".
_LOOSE_TABLE = re.compile(r"^(?:[^|\n][^\n]*\n[ \t]*\|?[ \t]*:?-|[ \t]*\|[^\n]*\n[ \t]*[:-])[-:| \t]*$", re.M)
# Both tests are made about five times faster by patterns that start with a newline:
# the regex engine skips to each newline, where "^" would be tried at every position.
_PREFIX_FIRST = re.compile(r"[ \t>*+\-\d.)]{12}")
_PREFIX_NEXT = re.compile(r"\n[ \t>*+\-\d.)]{12}")
_ROW = re.compile(r"\n[ \t]*[|:-][-:| \t]*$", re.M)  # any line _LOOSE_TABLE could end with


def _has_prefix(text: str) -> bool:
    """Whether a line of TEXT starts with 12 or more list or quote markers."""
    return bool(_PREFIX_FIRST.match(text) or _PREFIX_NEXT.search(text))


def _has_loose_table(text: str) -> bool:
    """_LOOSE_TABLE.search(text), faster: tried only at lines before a possible delimiter row."""
    for row in _ROW.finditer(text):
        if _LOOSE_TABLE.match(text, text.rfind("\n", 0, row.start()) + 1):
            return True
    return False


def _deep(text: str) -> bool:
    if "`" in text or "~~~" in text or "\r" in text:
        return True  # markdown-it-pyrs 0.4 can panic on a code span inside link brackets
    if _has_prefix(text) or ("|" in text and _has_loose_table(text)):
        return True
    if text.count("[") < 16:
        return False
    depth = top = 0
    for char in text:
        if char == "[":
            depth += 1
            top = max(top, depth)
        elif char == "]" and depth:
            depth -= 1
    return top >= 16


def _escape(text: str) -> str:
    for char, entity in _ESCAPES:
        text = text.replace(char, entity)
    return text


def _unescape(text: str) -> str:
    for char, entity in reversed(_ESCAPES):
        text = text.replace(entity, char)
    return text


def _level(tokens, idx, env) -> int:  # type: ignore[no-untyped-def]
    base = env.get("heading", 3) if isinstance(env, dict) else 3
    return min(6, int(tokens[idx].tag[1]) + base - 1)


def _heading_open(self: RendererHTML, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    return f"<h{_level(tokens, idx, env)}>"


def _heading_close(self: RendererHTML, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    return f"</h{_level(tokens, idx, env)}>\n"
