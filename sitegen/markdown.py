"""Markdown for prose fields: CommonMark plus tables, raw HTML shown as text,
``ref:`` links resolved to the right address, headings shifted to fit the page."""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markupsafe import Markup

Resolver = Callable[[str], "str | None"]


class Markdown:
    """Renders prose; ``resolve`` maps 'MEETING/ITEM/DECISION' to a URL or None."""

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve
        md = MarkdownIt("commonmark", {"html": False, "typographer": False})
        md.enable(["table", "strikethrough"])
        md.core.ruler.push("sitegen_refs", self._refs)
        md.add_render_rule("heading_open", _heading_open)
        md.add_render_rule("heading_close", _heading_close)
        self.md = md
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
            env = {"heading": heading}
            html = Markup(self.md.render(text, env))
            self.cache[key] = html
        return html

    def inline(self, text: str) -> Markup:
        """A one-line prose field without the surrounding paragraph."""
        html = self.render(text)
        if html.startswith("<p>") and html.endswith("</p>\n") and html.count("<p>") == 1:
            return Markup(html[3:-5])
        return html


def _level(tokens, idx, env) -> int:  # type: ignore[no-untyped-def]
    base = env.get("heading", 3) if isinstance(env, dict) else 3
    return min(6, int(tokens[idx].tag[1]) + base - 1)


def _heading_open(self: RendererHTML, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    return f"<h{_level(tokens, idx, env)}>"


def _heading_close(self: RendererHTML, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    return f"</h{_level(tokens, idx, env)}>\n"
