"""Markdown for prose fields: CommonMark plus tables, raw HTML shown as text,
``ref:`` links resolved to the right address, headings shifted to fit the page.

One engine, markdown-it-py (pure Python), on every platform and Python version:
a site's bytes never depend on where it is built. It also finds the lines of
broken ``ref:`` links for error messages."""

from __future__ import annotations

import html
import os
import posixpath
import re
from collections.abc import Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup

from .i18n import current
from .model import Texts

Resolver = Callable[[str], "str | None"]


def parser() -> MarkdownIt:
    """markdown-it as sitegen reads prose: CommonMark, tables and strikethrough, no raw HTML."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    return md


_READER: list[MarkdownIt] = []  # (one parser for file_links, made when first needed)


def file_links(text: str) -> list[tuple[int, str]]:
    """The links and images in TEXT (every language's, for a text by language) that lead to
    a file under files/, as Markdown reads them (inline, by reference, in angle brackets;
    not in code), as (0-based line within the text, path under the content folder); the
    addresses Markdown._file_address gives them on the site."""
    if text.__class__ is Texts:
        return [found for each in text.texts.values() for found in file_links(each)]  # type: ignore[attr-defined]
    if "files/" not in text:
        return []
    if not _READER:
        _READER.append(parser())
    out = []
    line = 0
    for token in _READER[0].parse(text):
        if token.map:
            line = token.map[0]
        breaks = 0
        for child in token.children or ():
            if child.type in ("softbreak", "hardbreak"):
                breaks += 1
            address = child.attrGet("href") if child.type == "link_open" else None
            address = child.attrGet("src") if child.type == "image" else address
            rel = _file_path(str(address or ""))
            if rel is not None:
                out.append((line + breaks, rel))
    return out


def _file_path(address: str) -> str | None:
    """The path under the content folder of a link's ADDRESS to a file under files/ (as
    markdown-it gives it: percent-encoded), or None."""
    if "files/" not in address:
        return None
    found = _FILE_ADDRESS.fullmatch(address)
    if found is None:
        return None
    rel = posixpath.normpath(unquote(found.group(1)))
    return rel if rel.startswith("files/") else None


class Markdown:
    """Renders prose; ``resolve`` maps 'MEETING/ITEM/DECISION' to a URL or None."""

    def __init__(self, resolve: Resolver, root: str = "/") -> None:
        """ROOT: the site's root address, under which a link to a file under files/ is given."""
        self.resolve = resolve
        self.root = root
        md = parser()
        md.core.ruler.push("sitegen_refs", self._refs)
        md.add_render_rule("heading_open", _heading_open)
        md.add_render_rule("heading_close", _heading_close)
        self.md = md
        # SITEGEN_STOCK_MARKDOWN=1: every text goes through markdown-it (the switch back from
        # plain_blocks below; the output is the same, more slowly)
        self.stock = os.environ.get("SITEGEN_STOCK_MARKDOWN", "") not in ("", "0")
        self.cache: dict[tuple[str, int, str], tuple[Markup, tuple[tuple[str, str | None], ...]]] = {}

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
                if child.type == "image":
                    self._file_address(child, "src")
                if child.type != "link_open":
                    continue
                href = str(child.attrGet("href") or "")
                if not href.startswith("ref:"):
                    self._file_address(child, "href")
                    continue
                target = href[4:]
                url = self.resolve(target)
                state.env.setdefault("resolved", []).append((target, url))
                if url is None:
                    broken.append((line + breaks, target))
                    child.attrSet("href", "#")
                else:
                    child.attrSet("href", url)

    def _file_address(self, token: Token, attr: str) -> None:
        """A link or image TOKEN's address (ATTR) given as a file under files/ (files/x.pdf,
        ./files/x.pdf or /files/x.pdf, as a document's href is) made the file's address on
        the site, whatever the address of the page that shows it."""
        address = str(token.attrGet(attr) or "")
        if _file_path(address) is not None:
            found = _FILE_ADDRESS.fullmatch(address)
            assert found is not None
            token.attrSet(attr, self.root + posixpath.normpath(found.group(1)) + (found.group(2) or ""))

    def check(self, text: str) -> list[tuple[int, str]]:
        """Broken ref: links in text, as (0-based line within text, ref)."""
        if text.__class__ is Texts:  # every language's
            return [found for each in text.texts.values() for found in self.check(each)]  # type: ignore[attr-defined]
        if "ref:" not in text:
            return []
        env: dict = {}
        self.md.parse(text, env)
        return env.get("broken", [])

    def lint(self, text: str) -> list[tuple[int, str]]:
        """What in TEXT would not be published as typed, as (0-based line within text, message):
        a text too long or with too many link definitions to render in good time, links
        that run script, images from other sites, nesting deeper than Markdown shows."""
        if text.__class__ is Texts:  # every language's
            return [found for each in text.texts.values() for found in self.lint(each)]  # type: ignore[attr-defined]
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
        plain = html.unescape(text) if "&" in text else text  # (&#x61; and &colon; spell javascript: too)
        for found in _UNSAFE_LINK.finditer(plain):
            out.append(
                (
                    plain.count("\n", 0, found.start()),
                    f'a link to "{found.group(2).lower()}:" is not published '
                    "(it could run script); link to an https:// address, a ref: or a file under files/",
                )
            )
        if "![" in text:  # images, as the parser sees them (entities, references and nesting resolved)
            for token in self.md.parse(text, {}):
                for child in token.children or ():
                    source = str(child.attrGet("src") or "") if child.type == "image" else ""
                    if _FOREIGN.match(source):
                        out.append(
                            (
                                (token.map or (0, 0))[0],
                                "an image from another site is not shown: it would "
                                "tell that site who reads the page; put the image under files/ and link it from there",
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
        language = current().language
        if text.__class__ is Texts:  # the page's language's text, or another marked with its language
            chosen, lang = text.pick(language)  # type: ignore[attr-defined]
            html = self.render(chosen, heading)
            return html if lang == language else Markup(f'<div lang="{lang}">{html}</div>')
        key = (text, heading, language)  # (a ref: link's address depends on the page's language)
        kept = self.cache.get(key)
        if kept is not None:
            html, resolved = kept
            # a ref: link's address is the model's: the same text may link elsewhere now
            # (and the page that shows it reads what the link reads)
            if not resolved or all(self.resolve(target) == url for target, url in resolved):
                return html
        env: dict = {"heading": heading}
        out = self._html(text, env)
        if "<li></li>" in out:  # an empty list item: a bullet with nothing to read
            out = _EMPTY_ITEM.sub("", out)
        html = Markup(out)
        self.cache[key] = (html, tuple(env.get("resolved", ())))
        return html

    def _html(self, text: str, env: dict) -> str:
        """markdown-it's HTML for TEXT, with its plain blocks written here (see plain_blocks)."""
        if self.stock:
            return self.md.render(text, env)
        blocks = plain_blocks(text)
        if blocks is None:
            return self.md.render(text, env)
        return "".join(block if block.__class__ is str else self.md.render(block.text, env) for block in blocks)

    def inline(self, text: str) -> Markup:
        """A one-line prose field without the surrounding paragraph."""
        if text.__class__ is Texts:
            language = current().language
            chosen, lang = text.pick(language)  # type: ignore[attr-defined]
            html = self.inline(chosen)
            return html if lang == language else Markup(f'<span lang="{lang}">{html}</span>')
        html = self.render(text)
        if html.startswith("<p>") and html.endswith("</p>\n") and html.count("<p>") == 1:
            return Markup(html[3:-5])
        return html


class Parsed:
    """A run of TEXT's blocks left to markdown-it."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


# Characters that mean nothing to Markdown inside a paragraph, a list item or a table cell
# of this parser (CommonMark, tables, strikethrough; no HTML, typographer or linkify), but
# the underscore (\w has it: a text with one is left to markdown-it).
_CHAR = r"[\w .,;:'\"?!()/%$#+=\-@^{}’‘“”–—…£€°]"
_LAST = r"[\w.,;:'\"?!()/%$#+=\-@^{}’‘“”–—…£€°]"  # (a line's last: no space)
_LINE = rf"[^\W\d_](?:{_CHAR}*{_LAST})?"  # a letter first: nothing a block can start with
_PARAGRAPH = re.compile(rf"{_LINE}(?:\n{_LINE})*")
_LIST = re.compile(rf"([-*+]) {_LINE}(?:\n\1 {_LINE})*")  # a tight list, an item a line
_ROW = rf"\|(?:{_CHAR}*\|)+"
_TABLE = re.compile(rf"{_ROW}\n\|(?: *:?-+:? *\|)+(?:\n{_ROW})*")
_BLANK = re.compile(r"(\n(?:[ \t]*\n)+)")
_ALIGN = {(True, False): ' style="text-align:left"', (False, True): ' style="text-align:right"'}
_ALIGN[True, True] = ' style="text-align:center"'


def plain_blocks(text: str) -> list[str | Parsed] | None:
    """TEXT as markdown-it would render it, block by block: the HTML of each plain paragraph,
    tight list of one-line items and pipe table whose text has nothing Markdown reads (most
    of a council's minutes), and the runs of other blocks as Parsed, for markdown-it. None
    when no block is plain, or when a block could reach across a blank line into another
    (a fence, a link reference definition), and for a text with an underscore.

    Blocks are split at blank lines. A plain block starts with a letter or a pipe at the
    line's start, so it can neither continue the block before it nor be continued after
    a blank line: markdown-it renders each run alone as it renders it in the text (tests
    compare the two on random texts and on whole sites; SITEGEN_STOCK_MARKDOWN=1 turns this
    off). A list is plain only between other plain blocks, which end it: beside a list of
    the same bullet it would be one loose list."""
    if "```" in text or "~~~" in text or "]:" in text or "\r" in text or "_" in text:
        return None
    pieces = _BLANK.split(text.strip("\n"))  # (blank lines before and after the blocks mean nothing)
    kinds = []
    for chunk in pieces[::2]:
        if _PARAGRAPH.fullmatch(chunk):
            kinds.append("p")
        elif _LIST.fullmatch(chunk):
            kinds.append("ul")
        elif _TABLE.fullmatch(chunk) and _even(chunk):
            kinds.append("table")
        else:
            kinds.append("")
    if not any(kinds):
        return None
    beside = ["p", *kinds, "p"]  # (the text's start and end end a list as a paragraph does)
    for n, kind in enumerate(kinds):
        if kind == "ul" and (beside[n] in ("", "ul") or beside[n + 2] in ("", "ul")):
            kinds[n] = ""  # beside a list, or a block that may end in one: left to markdown-it
    blocks: list[str | Parsed] = []
    start = -1  # the first piece of the run left to markdown-it
    for n, kind in enumerate(kinds):
        if not kind:
            if start < 0:
                start = 2 * n
            continue
        if start >= 0:
            blocks.append(Parsed("".join(pieces[start : 2 * n - 1])))
            start = -1
        chunk = pieces[2 * n].replace('"', "&quot;")
        if kind == "p":
            blocks.append(f"<p>{chunk}</p>\n")
        elif kind == "ul":
            items = "".join(f"<li>{line[2:]}</li>\n" for line in chunk.split("\n"))
            blocks.append(f"<ul>\n{items}</ul>\n")
        else:
            blocks.append(_table(chunk))
    if start >= 0:
        blocks.append(Parsed("".join(pieces[start:])))
    return blocks


def _even(chunk: str) -> bool:
    """Whether every row of a pipe table has as many cells as its head."""
    rows = chunk.split("\n")
    return len({row.count("|") for row in rows}) == 1


def _table(chunk: str) -> str:
    head, rule, *rows = (row[1:-1].split("|") for row in chunk.split("\n"))
    aligns = [_ALIGN.get((c.strip().startswith(":"), c.strip().endswith(":")), "") for c in rule]
    out = ["<table>\n<thead>\n<tr>\n"]
    out += [f"<th{align}>{cell.strip()}</th>\n" for align, cell in zip(aligns, head, strict=True)]
    out.append("</tr>\n</thead>\n")
    if rows:
        out.append("<tbody>\n")
        for row in rows:
            out.append("<tr>\n")
            out += [f"<td{align}>{cell.strip()}</td>\n" for align, cell in zip(aligns, row, strict=True)]
            out.append("</tr>\n")
        out.append("</tbody>\n")
    out.append("</table>\n")
    return "".join(out)


MAX_TEXT = 100_000  # characters in one prose field: each renders in well under a second
MAX_DEFINITIONS = 500  # link reference definitions in one text (their cost grows as their square)
_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.M)
_UNSAFE_LINK = re.compile(r"(\]\(\s*<?|^ {0,3}\[[^\]\n]*\]:\s*<?|<)\s*(javascript|vbscript|file|data):", re.I | re.M)
_FOREIGN = re.compile(r"\s*(?:[a-z][a-z0-9+.-]*:|//|\\\\)", re.I)  # an address with a scheme, or another host
_FILE_ADDRESS = re.compile(r"(?:\./|/)?(files/[^#?]+)([#?].*)?", re.S)  # (see Markdown._file_address)
_EMPTY_ITEM = re.compile(r"<li></li>\n?")


def suspect(text: str) -> bool:
    """Whether Markdown.lint could find anything in TEXT (cheap: most texts are not)."""
    return (
        len(text) > MAX_TEXT
        or ("]:" in text and len(_DEFINITION.findall(text)) > MAX_DEFINITIONS)
        or (
            (":" in text or "&" in text)
            and _UNSAFE_LINK.search(html.unescape(text) if "&" in text else text) is not None
        )
        or "![" in text
        or _has_prefix(text)
        or "\n" + " " * 12 in text
    )


_PREFIX_FIRST = re.compile(r"[ \t>*+\-\d.)]{12}")
_PREFIX_NEXT = re.compile(r"\n[ \t>*+\-\d.)]{12}")  # (a pattern led by a newline is searched fast)


def _has_prefix(text: str) -> bool:
    """Whether a line of TEXT starts with 12 or more list or quote markers."""
    return bool(_PREFIX_FIRST.match(text) or _PREFIX_NEXT.search(text))


def _level(tokens, idx, env) -> int:  # type: ignore[no-untyped-def]
    base = env.get("heading", 3) if isinstance(env, dict) else 3
    return min(6, int(tokens[idx].tag[1]) + base - 1)


def _heading_open(self: RendererHTML, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    return f"<h{_level(tokens, idx, env)}>"


def _heading_close(self: RendererHTML, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    return f"</h{_level(tokens, idx, env)}>\n"
