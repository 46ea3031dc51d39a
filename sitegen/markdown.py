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
            for child in token.children or ():
                if child.type != "link_open":
                    continue
                href = str(child.attrGet("href") or "")
                if not href.startswith("ref:"):
                    continue
                target = href[4:]
                url = self.resolve(target)
                if url is None:
                    broken.append((line, target))
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

    def render(self, text: str, heading: int = 3) -> Markup:
        """HTML for a prose field; its headings start at level ``heading``."""
        if not text:
            return Markup("")
        key = (text, heading)
        html = self.cache.get(key)
        if html is None:
            if self.fast is None or _deep(text):
                html = Markup(self.md.render(text, {"heading": heading}))
            else:
                html = Markup(self._fast(text, heading))
            self.cache[key] = html
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
