"""`sitegen import moderngov`: a council's record from its ModernGov web service.

Every ModernGov site answers ``BASE/mgWebService.asmx/OPERATION?PARAMS`` with bare XML.
This reads the committees (bodies), the councillors (people) and, committee by
committee and a window of dates at a time, the meetings with their agenda items,
minutes, decisions, documents and attendance, and writes them as a content folder.

- Polite: one request at a time, DELAY seconds apart, with a timeout, retries with
  backoff on network errors and 5xx answers, a User-Agent naming sitegen, and dates
  windowed so that no query asks for years at once. Responses are kept in a cache
  beside the content folder (a re-run is fast and asks the server little).
- Safe: XML is read with defusedxml, answers are limited in size; Word HTML is cleaned
  by nh3 (an allow-list of tags) before markdownify turns it into Markdown.
- Re-runs change nothing that is the same, never overwrite a file a person edited
  after the import (a manifest keeps the digest of what was written), and add what
  is new. What was written before a failure stays; a re-run continues.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import yaml

from . import fields
from .load import FORBIDDEN
from .markdown import MAX_TEXT
from .validate import RECORD_FOLDERS, meeting_files, slugify

USER_AGENT = "sitegen-import/0.1 (a static site generator for council meetings; one request at a time)"
MAX_BYTES = 20 * 1024 * 1024  # the largest answer read (a meeting with long minutes is well under 1 MB)
MAX_DOCUMENT = 200 * 1024 * 1024  # the largest document downloaded (--download)
WINDOW_DAYS = 92  # the dates a GetMeetings query spans
FRESH_SECONDS = 12 * 3600  # a cached answer younger than this is used as it is
SETTLED_DAYS = 90  # a meeting older than this is cached for good
# in place of a text longer than the reader takes (markdown.MAX_TEXT): the original record has it
LONG_MINUTES = "The minutes of this item are longer than this site shows: read them in the original record."
LONG_DECISION = "The text of this decision is longer than this site shows: read it in the original record."
DOWNLOADS = "files/moderngov"  # where --download saves the documents
MANIFEST = ".moderngov.json"  # in the content folder: what the importer wrote, and each file's digest
HEADER = (
    "# Imported by `sitegen import moderngov` from {source}\n"
    "# Edit freely: a later import never overwrites a file changed since it was written.\n"
)

Log = Callable[[str], None]


class ImportFailed(Exception):
    """A failure to report in one line (what was asked, where, and why)."""


class BadAnswer(ImportFailed):
    """An answer that is not the web service's XML (a web page, malformed, refused): never
    kept in the cache, so that the next import asks again."""


# --- the web service -----------------------------------------------------------------


@dataclass
class Service:
    """The web service at BASE (the ModernGov site's address, with any sub-path)."""

    base: str
    cache: Path
    delay: float = 1.0
    timeout: float = 60.0
    retries: int = 4
    log: Log = print
    fetched: int = 0  # answers asked of the server this run
    on_saved: Callable[[Path], None] | None = None  # told of each as it is saved (see Writer.record)
    _last: float = 0.0

    def __post_init__(self) -> None:
        base = self.base.strip()
        if "://" not in base:
            base = "https://" + base
        base = re.sub(r"/(mgWebService\.asmx.*|[^/]+\.aspx.*)$", "", base)  # a page's address given instead
        self.base = base.rstrip("/") + "/"

    def url(self, operation: str, params: dict[str, Any]) -> str:
        query = urllib.parse.urlencode(params)
        return f"{self.base}mgWebService.asmx/{operation}" + (f"?{query}" if query else "")

    def page(self, path: str) -> str:
        """The address of one of the site's own pages (an original record)."""
        return urllib.parse.urljoin(self.base, path)

    def get(
        self, operation: str, params: dict[str, Any] | None = None, keep: bool = False, expect: str = ""
    ) -> Element:
        """The answer to OPERATION, parsed; from the cache when it is fresh (or KEEP). EXPECT:
        the element the answer must hold (else it is a BadAnswer: an error the service wrote
        as XML, say)."""
        url = self.url(operation, params or {})
        path = self.cache / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".xml")
        if path.is_file() and (keep or time.time() - path.stat().st_mtime < FRESH_SECONDS):
            try:
                return _holding(parse_xml(path.read_bytes(), operation, url), expect, operation, url)
            except (BadAnswer, OSError):
                path.unlink(missing_ok=True)  # (kept by an earlier version, or damaged: asked again)
        data = self._fetch(operation, url)
        # (checked before it is kept: a bad answer is asked again next time)
        parsed = _holding(parse_xml(data, operation, url), expect, operation, url)
        self.cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return parsed

    def download(self, url: str, path: Path, log: Log) -> bool:
        """Save the document at URL as PATH (kept when it is there already); whether it is there."""
        if path.is_file():
            return True
        try:
            data = self._fetch("a document", url, limit=MAX_DOCUMENT, same_site=True)
        except ImportFailed as exc:
            log(f"  not downloaded (the page links to the original instead): {exc}")
            return False
        if data[:512].lstrip().lower().startswith((b"<!doctype html", b"<html")):
            log(f"  not downloaded (the server answered with a web page): {url}")
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.importing")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        if self.on_saved is not None:
            self.on_saved(path)
        return True

    def _fetch(self, operation: str, url: str, limit: int = MAX_BYTES, same_site: bool = False) -> bytes:
        """The answer at URL. SAME_SITE: only from the service's own site (scheme, host and
        port): a redirect elsewhere is refused, not followed."""
        wait = self.delay - (time.monotonic() - self._last)
        if wait > 0:
            time.sleep(wait)
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/xml"})
        opener = urllib.request.build_opener(_SameSite(site_of(self.base))) if same_site else None
        reason = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(60.0, self.delay * 2**attempt))
            self._last = time.monotonic()
            try:
                with (opener.open if opener is not None else urllib.request.urlopen)(
                    request, timeout=self.timeout
                ) as response:
                    data = response.read(limit + 1)
                self.fetched += 1
                if len(data) > limit:
                    raise ImportFailed(f"{operation} at {url}: the answer is larger than {limit // 2**20} MB")
                return data
            except urllib.error.HTTPError as exc:
                reason = f"the server answered {exc.code} {exc.reason}"
                if exc.code < 500 and exc.code not in (408, 429):
                    break  # (a wrong address, say: asking again will not help)
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                reason = str(getattr(exc, "reason", exc)) or type(exc).__name__
            if attempt < self.retries:
                self.log(f"  {operation}: {reason}; trying again")
        raise ImportFailed(f"{operation} at {url}: {reason}")


def site_of(url: str) -> tuple[str, str, int | None]:
    """URL's site: its scheme, host and port (the scheme's own when none is given)."""
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        port = -1
    return parts.scheme, (parts.hostname or ""), port


class _SameSite(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only within SITE (see site_of)."""

    def __init__(self, site: tuple[str, str, int | None]) -> None:
        self.site = site

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if site_of(newurl) != self.site:
            raise urllib.error.HTTPError(
                newurl, code, f"a redirect to another site ({newurl}), not followed", headers, fp
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _holding(root: Element, expect: str, operation: str, url: str) -> Element:
    """ROOT, when it is or holds an element EXPECT (or nothing is expected); else BadAnswer."""
    if expect and root.tag != expect and root.find(f".//{expect}") is None:
        said = " ".join("".join(root.itertext()).split())[:200]
        raise BadAnswer(f"{operation} at {url}: the answer holds no {expect} ({root.tag}: {said!r})")
    return root


def parse_xml(data: bytes, operation: str, url: str) -> Element:
    """DATA as XML (defusedxml: no entity expansion, no external entities)."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:200]:
        raise BadAnswer(
            f"{operation} at {url}: the server answered with a web page, not the web service's XML "
            "(is the address the ModernGov site's, such as https://democracy.example.gov.uk/?)"
        )
    try:
        return SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise BadAnswer(f"{operation} at {url}: the XML was refused ({type(exc).__name__})") from None
    except SafeET.ParseError as exc:
        raise BadAnswer(f"{operation} at {url}: the answer is not well-formed XML ({exc})") from None


# --- reading the answers -------------------------------------------------------------------


def text(element: Element | None, tag: str) -> str:
    """The text of TAG under ELEMENT, decoded (titles are sometimes HTML-encoded twice)."""
    if element is None:
        return ""
    found = element.find(tag)
    return decode(found.text or "") if found is not None else ""


def decode(value: str) -> str:
    """A plain text field as the service gives it: entities decoded (titles are sometimes
    encoded twice), any HTML tags dropped ("Room <b>1</b>" → "Room 1"), control and
    bidirectional characters (which the reader refuses) removed, spaces made single."""
    value = value.strip()
    for _ in range(2):  # "Chair&amp;#39;s" → "Chair&#39;s" → "Chair's"
        if "&" not in value:
            break
        value = html.unescape(value)
    if "<" in value and _TAG.search(value):
        import nh3

        value = html.unescape(nh3.clean(value, tags=set()))
    return re.sub(r"\s+", " ", _CONTROL.sub("", value.replace("\xa0", " "))).strip()


_TAG = re.compile(  # (HTML's own tags: "<draft v2>" in a title is text)
    r"</?(?:a|abbr|b|br|div|em|font|h[1-6]|i|li|ol|p|script|span|strong|style|sub|sup|table|td|th|tr|u|ul)\b[^>]*>",
    re.I,
)


def flag(element: Element | None, tag: str) -> bool:
    return text(element, tag).lower() in ("true", "1", "yes")


def restricted(element: Element | None) -> bool:
    """Whether ELEMENT (an agenda item, a document) is restricted: anything but a plain "no"
    (false, 0, no or nothing) is taken as yes, so that nothing confidential is published
    for want of reading the flag as the service meant it."""
    return text(element, "isrestricted").strip().lower() not in ("", "false", "0", "no")


def all_of(element: Element | None, path: str) -> list[Element]:
    return [] if element is None else list(element.iterfind(path))


def day(value: str) -> dt.date | None:
    """dd/mm/yyyy, or yyyy-mm-dd as some versions give it (with a time after it, sometimes)."""
    found = re.match(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})", value)
    iso = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})(?![\d])", value)
    if not found and not iso:
        return None
    year, month, day_ = (found.group(3), found.group(2), found.group(1)) if found else iso.groups()  # type: ignore[union-attr]
    try:
        return dt.date(int(year), int(month), int(day_))
    except ValueError:
        return None


def clock(value: str) -> str:
    """'10.00 am', '6.30pm', '18:30' → '10:00', '18:30' ('' when it is not a time)."""
    found = re.match(r"\s*(\d{1,2})(?:[.:](\d{2}))?\s*([ap])?\.?\s*m?\.?\s*$", value.lower())
    if not found:
        return ""
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if found.group(3):
        hour = hour % 12 + (12 if found.group(3) == "p" else 0)
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else ""


# --- Word HTML to Markdown ----------------------------------------------------------------

ALLOWED_TAGS = {
    "p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "table", "thead", "tbody", "tr", "th", "td",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "blockquote",
}  # fmt: skip
_BULLET = re.compile(r"^\s*(?:[·•▪◦§o]|&middot;)\s+", re.M)
_CONTROL = re.compile(f"{FORBIDDEN.pattern}|\ufeff")  # (what the reader refuses, and a stray byte-order mark)


def markdown(word_html: str, base: str = "") -> str:
    """Word HTML (MsoNormal spans, middle-dot bullets, &nbsp;, hard breaks) as clean Markdown.
    BASE: the service's address, which the links ModernGov gives relative to it are made
    absolute with (documents/s1/Report.pdf)."""
    import markdownify
    import nh3

    if not word_html or not word_html.strip():
        return ""
    source = _CONTROL.sub("", word_html)
    if "<" not in source and "&lt;" in source:  # escaped once more than the XML needs
        source = html.unescape(source)
    source = re.sub(r"<!\[if [^\]]*\]>.*?<!\[endif\]>", "", source, flags=re.S | re.I)  # Word's conditional bits
    clean = nh3.clean(
        source,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
        url_schemes={"https", "http", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    if base:
        clean = _HREF.sub(lambda found: _absolute(found, base), clean)
    clean = clean.replace("\xa0", " ").replace("&nbsp;", " ")
    text_ = markdownify.markdownify(
        clean, heading_style="ATX", bullets="-", escape_underscores=False, table_infer_header=True
    )
    lines = []
    for line in text_.splitlines():
        line = _BULLET.sub("- ", line.rstrip())
        lines.append(re.sub(r"[ \t]{2,}", " ", line) if not line.lstrip().startswith("|") else line)
    text_ = "\n".join(lines)
    text_ = re.sub(r"(?<=\S) *\n(?=[a-z(])", " ", text_)  # a hard break mid-sentence
    text_ = re.sub(r"\n{3,}", "\n\n", text_).strip()
    text_ = re.sub(r"(?m)^(- .*)\n\n(?=- )", r"\1\n", text_)  # Word's bullets, a paragraph each: one list
    text_ = re.sub(r"(?m)^(- .*)\n\n(?=- )", r"\1\n", text_)  # (every other pair, then the rest)
    # what only looks like a link or an image in the text itself ("[x](javascript:...)" typed in
    # Word) stays text: the links of <a> are http, https or mailto (nh3), and no <img> is kept
    # ("!" before a link is the text's own); a scheme that could run script is never one
    # (escaped, it shows as typed)
    text_ = _TYPED_LINK.sub(r"]\\(", text_).replace("![", "\\![")
    return _SCRIPT_SCHEME.sub(r"\1\\:", text_)


_TYPED_LINK = re.compile(r"\]\((?!https?://|mailto:)", re.I)
_SCRIPT_SCHEME = re.compile(r"\b(javascript|vbscript|file|data):", re.I)  # (as the reader refuses them)
_HREF = re.compile(r'href="([^"]*)"')


def _absolute(found: re.Match, base: str) -> str:
    """An href made absolute, with what Markdown would not take in a link's address (a space,
    a parenthesis: ModernGov's document addresses have them) percent-encoded."""
    address = urllib.parse.urljoin(base, html.unescape(found.group(1)))
    address = urllib.parse.quote(address, safe=":/?#[]@!$&'*+,;=%~")
    return 'href="' + html.escape(address, quote=True) + '"'


# --- decisions in the minutes' text ---------------------------------------------------------

_RECOMMENDS = re.compile(
    r"\bRECOMMEND(?:ED|ATION)S?\s+(?:TO|to)\s+(?:the\s+|THE\s+)?(?P<body>[A-Z][\w&' -]{1,60}?)\s*(?:that|THAT|:|-|–|\n)",
)
_NUMBERED = re.compile(r"^\s*(?:\((\d{1,2})\)|(\d{1,2})[.)])\s+", re.M)


@dataclass
class Made:
    """One decision found in a decision's text."""

    id: str
    text: str
    to: str = ""  # a body's id, for a recommendation


def split_decisions(markdown_text: str, body_ids: dict[str, str]) -> list[Made]:
    """The decisions in MARKDOWN_TEXT: numbered ones ("1.", "(1)") apart, else one; one that
    recommends to a body the site knows ("RECOMMENDED to Council that ...") goes to it.
    BODY_IDS: body names, in lower case, to ids."""
    if not markdown_text.strip():
        return []
    marks = list(_NUMBERED.finditer(markdown_text))
    numbers = [int(x.group(1) or x.group(2)) for x in marks]
    parts: list[tuple[str, str]] = []
    if len(marks) >= 2 and numbers == list(range(1, len(marks) + 1)):
        lead = markdown_text[: marks[0].start()].strip()
        if re.fullmatch(r"\W*resolved\W*", lead.lower()):
            lead = ""  # ("RESOLVED:" alone: each part is a resolution)
        for n, mark in enumerate(marks):
            end = marks[n + 1].start() if n + 1 < len(marks) else len(markdown_text)
            parts.append((str(n + 1), (lead + "\n\n" if lead else "") + markdown_text[mark.end() : end].strip()))
        lead_to = recommends(lead, body_ids)
    else:
        parts, lead_to = [("1", markdown_text.strip())], ""
    out = []
    for did, body in parts:
        out.append(Made(did, body, recommends(body, body_ids) or lead_to))
    return out


def recommends(text_: str, body_ids: dict[str, str]) -> str:
    found = _RECOMMENDS.search(text_.replace("*", ""))
    if not found:
        return ""
    name = found.group("body").strip().lower()
    if name in body_ids:
        return body_ids[name]
    for known, bid in body_ids.items():
        if known.startswith(name) or name.startswith(known):
            return bid
    return ""


# --- the content folder ---------------------------------------------------------------------


def kind_of(title: str, category: str = "") -> str:
    """A body's kind, guessed from its title (and ModernGov's category): the words councils
    use (full Council, Cabinet or Executive, Sub-Committee, Panel, Committee)."""
    words = f"{title} {category}".lower()
    if re.search(r"\bsub[- ]?committee\b", words):
        return "sub-committee"
    if re.search(r"\b(cabinet|executive)\b", words) and "scrutiny" not in words:
        return "executive"
    if re.fullmatch(r"\s*(full |county |city |borough |district |town )?council( meeting)?\s*", title.lower()):
        return "council"
    if re.search(r"\b(panel|board|forum|group)\b", words):
        return "panel"
    if "committee" in words:
        return "committee"
    return "other"


class Dumper(yaml.SafeDumper):
    """YAML as a clerk would type it: multi-line texts as blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=1000)


SAVE_EVERY = 1.0  # seconds between writings of the manifest while files are written (see Writer.save)


@dataclass
class Writer:
    """Writes the content folder's files, keeping a manifest of what it wrote."""

    content: Path
    log: Log
    manifest: dict[str, str] = field(default_factory=dict)
    written: int = 0
    downloaded: set[str] = field(default_factory=set)  # the documents saved this run (see record)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # edited by a person since: left as they are
    #: the digests of the files this run is about to write (see expect): a file found so is the importer's
    pending: dict[str, list[str]] = field(default_factory=dict)
    _saved: float = field(default=float("-inf"), repr=False)  # when the manifest was last written (see save)

    def __post_init__(self) -> None:
        path = self.content / MANIFEST
        if path.is_file():
            try:
                kept = json.loads(path.read_text(encoding="utf-8"))
                self.manifest = kept.get("files", {})
                pending = kept.get("pending", {})  # (a run killed as it wrote: see expect)
                self.pending = {rel: list(d) for rel, d in pending.items() if isinstance(d, list)}
            except (ValueError, AttributeError):
                self.manifest, self.pending = {}, {}

    def expect(self, files: list[tuple[str, str]]) -> None:
        """Note FILES (path, text), about to be written, in the manifest before any is: a file
        found later with one of those texts is the importer's, though a run killed as it
        wrote them never listed it."""
        for rel, body in files:  # (with those a run killed before listed: its files are the importer's too)
            digests = self.pending.setdefault(rel, [])
            digests.append(hashlib.sha256(body.encode("utf-8")).hexdigest())
        self.save()

    def _mine(self, rel: str, digest: str) -> bool:
        """Whether DIGEST, of REL's bytes now, is of what the importer wrote or was writing."""
        return digest == self.manifest.get(rel) or digest in self.pending.get(rel, ())

    def write(self, rel: str, body: str) -> bool:
        """Write REL unless a person changed it since the last import; whether it holds BODY now."""
        path = self.content / rel
        data = body.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        if path.exists() or path.is_symlink():
            if path.is_symlink() or not path.is_file():
                self.kept.append(rel)
                return False
            current = hashlib.sha256(path.read_bytes()).hexdigest()
            if current == digest:
                self.manifest[rel] = digest
                self.unchanged += 1
                return True
            if not self._mine(rel, current):  # not what the importer wrote last: a person's
                self.kept.append(rel)
                return False
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.importing")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        self.manifest[rel] = digest
        self.written += 1
        self.save(soon=True)
        return True

    def record(self, path: Path) -> None:
        """Note PATH, a file the importer has just written itself (a document downloaded), in
        the manifest at once: a run that fails later still knows it as the importer's."""
        rel = path.relative_to(self.content).as_posix()
        self.manifest[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        self.downloaded.add(rel)
        self.save()

    def remove(self, rel: str) -> None:
        """Remove REL, a file as the importer last wrote it (see owned), and forget it."""
        (self.content / rel).unlink(missing_ok=True)
        self.manifest.pop(rel, None)
        self.save()

    def owned(self, rel: str) -> bool:
        """Whether REL is as the importer last wrote it (or absent)."""
        path = self.content / rel
        if not path.exists():
            return True
        return path.is_file() and self._mine(rel, hashlib.sha256(path.read_bytes()).hexdigest())

    def save(self, soon: bool = False) -> None:
        """Write the manifest; SOON: at most every SAVE_EVERY seconds (written whole, it took a
        council of thousands of meetings longer to keep than to import). A file written meanwhile
        and not yet listed when a run is killed is known as the import's all the same: it was
        listed as expected before any was written (see expect)."""
        now = time.monotonic()
        if soon and now - self._saved < SAVE_EVERY:
            return
        self._saved = now
        path = self.content / MANIFEST
        tmp = path.with_name(MANIFEST + ".tmp")
        kept: dict[str, Any] = {"files": dict(sorted(self.manifest.items()))}
        if self.pending:
            kept["pending"] = dict(sorted(self.pending.items()))
        tmp.write_text(json.dumps(kept, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)


# --- the import -----------------------------------------------------------------------------


@dataclass
class Options:
    base: str
    content: Path
    start: dt.date
    end: dt.date
    committees: list[str] = field(default_factory=list)
    delay: float = 1.0
    today: dt.date = field(default_factory=dt.date.today)
    download: bool = False  # save the documents under files/ rather than link to them


@dataclass
class Body:
    mg_id: str
    id: str
    name: str
    kind: str


@dataclass
class Imported:
    """A meeting as read, before it is written."""

    rel: str
    id: str
    body: Body
    date: dt.date
    data: dict[str, Any]
    minutes: bool  # ModernGov says its minutes are published
    recommendations: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, to body id, item title)
    mg_id: str = ""  # the service's meeting id
    stale: list[Known] = field(default_factory=list)  # its files of another date (see _name_meetings)
    aliases: list[str] = field(default_factory=list)  # those its file lists already
    restricted: list[tuple[str, str]] = field(default_factory=list)  # the items the service restricts: (title, source)
    withdrawn: list[str] = field(default_factory=list)  # where --download saves the documents it restricts


def run(options: Options, log: Log = print, service: Service | None = None) -> int:
    """Import; the number of files written. Raises ImportFailed."""
    content = options.content
    content.mkdir(parents=True, exist_ok=True)
    if service is None:
        from .state import cache_folder

        service = Service(options.base, cache_folder(content) / "moderngov", options.delay, log=log)
    writer = Writer(content, log)
    service.on_saved = writer.record
    log(f"importing from {service.base} into {content}")

    bodies = _bodies(service, options)
    people, by_member = _people(service)
    mine = _kept_ids(writer, "bodies.yaml")
    if mine is not None:  # a person's bodies.yaml: import only the committees it has
        for mg_id, body in list(bodies.items()):
            if body.id not in mine:
                log(f"  left out {body.name}: not in bodies.yaml, which was changed by hand (add it as {body.id})")
                del bodies[mg_id]
    # a narrower import (--committee, --from, --to) keeps what a wider one wrote of bodies and people
    # (the bodies an earlier import listed stay: meeting files of a committee the service has since
    # deleted, or renamed, still name them)
    earlier_all_bodies = _previous(writer, "bodies.yaml")
    earlier_bodies = [e for e in earlier_all_bodies if e["id"] not in {b.id for b in bodies.values()}]
    earlier_people = _previous(writer, "people.yaml")
    names = {_plain(e.get("name")).lower(): e["id"] for e in earlier_bodies}
    names.update({b.name.lower(): b.id for b in bodies.values()})
    council = [b.id for b in bodies.values() if b.kind == "council"] + [
        e["id"] for e in earlier_bodies if e.get("kind") == "council"
    ]
    if council:  # ("RECOMMENDED to Council": to no body when none is known as the council)
        names["council"] = council[0]

    meetings: list[Imported] = []
    seen: set[str] = set()  # (a meeting the service lists twice is imported once)
    for body in bodies.values():
        listed = []
        for row in _meeting_dates(service, body, options):
            mg_id = text(row, "meetingid")
            if not mg_id or mg_id not in seen:
                listed.append(row)
                seen.add(mg_id)
        log(f"  {body.name}: {len(listed)} meetings")
        for mg_meeting in listed:
            try:
                found = _meeting(service, body, mg_meeting, names, people, by_member, options)
            except BadAnswer as exc:  # (one meeting's answer: the others are imported; it is asked again next time)
                log(f"  left out a meeting of {body.name} this time: {exc}")
                continue
            if found is not None:
                meetings.append(found)
            else:
                log(
                    f"  left out a meeting of {body.name}: the service gives it no id or no date it can read "
                    f"(id {text(mg_meeting, 'meetingid')!r}, date {text(mg_meeting, 'meetingdate')!r})"
                )
    mine = _name_meetings(meetings, _meeting_files(content), writer.owned)
    for found in mine:
        log(
            f"  left out {found.body.name}'s meeting of {found.date:%d/%m/%Y}: a file of the content folder "
            f"stands for it ({found.rel}, with no `source:`); the import leaves that meeting to you"
        )
        for old in found.stale:  # (moved to that day: the importer's file of its old day goes)
            if writer.owned(old.rel):
                writer.remove(old.rel)
                log(
                    f"  removed {old.rel}: the meeting moved to {found.date:%d/%m/%Y}, where {found.rel} stands for "
                    f"it; list {old.id} under that file's aliases: so that its old address leads there"
                )
    meetings = [found for found in meetings if found not in mine]
    _stages(meetings)
    known = _kept_ids(writer, "people.yaml")
    if known is not None:  # a person's people.yaml: name only the people it has
        unknown: set[str] = set()
        for found in meetings:
            for key in ("present", "apologies", "in_attendance"):
                if key in found.data:
                    unknown.update(p for p in found.data[key] if p not in known)
                    found.data[key] = [p for p in found.data[key] if p in known]
                    if not found.data[key]:
                        del found.data[key]
            if found.data.get("chair") not in known and "chair" in found.data:
                unknown.add(found.data.pop("chair"))
        if unknown:
            log(f"  left out of attendance, not in people.yaml (changed by hand): {', '.join(sorted(unknown))}")
    linked, left = _link(meetings, bodies)

    try:
        # every file to write, known first: listed as expected before any is written, so that a
        # run killed while writing still knows each as the importer's (see Writer.expect)
        planned: list[tuple[str, str]] = []
        if not (content / "site.yaml").exists():
            host = urllib.parse.urlsplit(service.base).hostname or "the council"
            authority = re.sub(r"^(www|democracy|moderngov|committees?|meetings|councillors)\.", "", host)
            planned.append(
                (
                    "site.yaml",
                    HEADER.format(source=service.base)
                    + "# CHECK: authority and title were made from the service's address; write the council's own name.\n"
                    + dump(
                        {
                            "authority": authority,
                            "title": f"{authority} meetings and decisions",
                            "base_url": "/",
                            "language": "en-GB",
                            "timezone": "Europe/London",
                            "licence": "Open Government Licence v3.0",
                        }
                    ),
                )
            )
        english = _english_key(content, log)  # (ModernGov's texts are English: marked so on a site in others first)
        fresh_bodies = [{"id": b.id, "name": b.name, "kind": b.kind} for b in bodies.values()]
        listed_bodies = _merged(earlier_all_bodies, fresh_bodies)
        listed_people = _merged(earlier_people, [dict(p) for p in people.values()])
        if english:
            for entry in listed_bodies:
                _in_language(entry, fields.BODY, english)
            for entry in listed_people:
                _in_language(entry, fields.PERSON, english)
            for found in meetings:
                _in_language(found.data, fields.MEETING, english)
        planned.append(
            (
                "bodies.yaml",
                HEADER.format(source=service.base)
                + "# kind is guessed from the committee's title (see the README): check it.\n"
                + dump(listed_bodies),
            )
        )
        planned.append(("people.yaml", HEADER.format(source=service.base) + dump(listed_people)))
        moved: list[tuple[Imported, Known]] = []
        replaced: dict[str, list[Known]] = {}  # a meeting's file: the importer's files of its old days, to go
        imported = {found.id for found in meetings}
        for found in meetings:
            # rescheduled: its files of other days that the importer wrote go, and their addresses
            # lead to its new one (the aliases its file has, and theirs, are kept)
            gone = [old for old in found.stale if writer.owned(old.rel)]
            moved += [(found, old) for old in found.stale if old not in gone]
            aliases = list(found.aliases)
            for old in gone:
                aliases += [*old.aliases, old.id]
            aliases = [a for a in dict.fromkeys(aliases) if a != found.id]
            if aliases:
                found.data["aliases"] = aliases
            if writer.owned(found.rel):
                # (a later meeting of the body with minutes published: what approves these, as _stages has it)
                later = any(x.body is found.body and x.date > found.date and x.minutes for x in meetings)
                _carry_over(writer.content / found.rel, found.data, imported, later)
            planned.append((found.rel, HEADER.format(source=found.data.get("source", service.base)) + dump(found.data)))
            replaced[found.rel] = gone
        writer.expect(planned)
        for rel, body in planned:
            if writer.write(rel, body):
                for old in replaced.get(rel, ()):
                    writer.remove(old.rel)
        # what the service restricts now: the documents an earlier import saved go, even where a
        # file still names them (the site then does not build until the link goes: nothing leaks),
        # and a file a person changed (so kept) that still publishes a restricted item is named
        restricted_gone: list[tuple[str, str]] = []
        exposed: list[tuple[str, str]] = []
        for found in meetings:
            for rel in dict.fromkeys(found.withdrawn):
                if writer.owned(rel) and (writer.content / rel).is_file():
                    writer.remove(rel)
                    restricted_gone.append((rel, found.rel))
            if found.restricted and found.rel in writer.kept:
                exposed += [(found.rel, title) for title in _still_public(writer.content / found.rel, found.restricted)]
        withdrawn, unknown = _unnamed_downloads(writer)
    finally:  # (what was written is listed, whatever stops the run)
        writer.pending.clear()
        writer.save()

    log(
        f"{len(meetings)} meetings of {len(bodies)} bodies, {len(people)} people: "
        f"{writer.written} files written, {writer.unchanged} unchanged; "
        f"{service.fetched} answers from the server"
    )
    for rel, title in exposed:
        log(
            f'  ATTENTION {rel}: ModernGov now restricts the item "{title}", which this file (changed by hand, so '
            "kept) still publishes: mark the item exempt, as the import would, or remove what must not be published"
        )
    for rel, meeting_rel in restricted_gone:
        log(
            f"  removed {rel}: ModernGov now restricts this document (of {meeting_rel}); "
            "a file that still names it stops the build until that link goes"
        )
    for rel in writer.kept:
        log(f"  kept {rel}: changed by hand since the last import (not overwritten)")
    for rel in withdrawn:
        if rel.rpartition("/")[2].startswith("."):
            log(f"  removed {rel}: a download an interrupted import left half written")
            continue
        log(
            f"  removed {rel}: downloaded by an earlier import, and no file of the content folder names it now "
            "(ModernGov restricted or dropped it, or its meeting is left to you)"
        )
    for rel in unknown:
        log(
            f"  left for a person: {rel}: no file of the content folder names it, and it is not known as the "
            "importer's download; it is still published: remove it if it should not be"
        )
    for found, old in moved:
        log(
            f"  left for a person: {old.rel}: the service now gives this meeting the date "
            f"{found.date:%d/%m/%Y} ({found.rel}); the old file was changed by hand, so it is kept: "
            "remove it, or list its id under the new file's aliases:"
        )
    log(
        f"linked automatically: {linked} recommendations to a later meeting that considered them "
        "(marked inferred: true; check them)"
    )
    for ref, reason in left:
        log(f"  left for a person: {ref}: {reason}")
    return writer.written


_UNREAD = object()  # (what _yaml_of gives for a file it cannot read)


def _yaml_of(path: Path) -> Any:
    """The YAML of the file at PATH (of a .md file, its front matter), read with the C
    loader when there is one; _UNREAD when it cannot be read or is not YAML."""
    try:
        text_ = path.read_text(encoding="utf-8")
        if text_.startswith("---"):
            end = text_.find("\n---", 3)
            text_ = text_[3:] if end == -1 else text_[3:end]
        return yaml.load(text_, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return _UNREAD


def _previous(writer: Writer, rel: str) -> list[dict[str, Any]]:
    """The entries (each with an id) of REL, a list the importer wrote and no person changed
    since; none otherwise (a person's is read as a person's: see _kept_ids)."""
    path = writer.content / rel
    if not path.is_file() or not writer.owned(rel):
        return []
    entries = _yaml_of(path)
    return (
        [e for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)]
        if isinstance(entries, list)
        else []
    )


def _merged(earlier: list[dict[str, Any]], fresh: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """EARLIER's entries in their order, each as FRESH gives it when it does, then FRESH's new ones."""
    by_id = {e["id"]: e for e in fresh}
    kept = {e["id"] for e in earlier}
    return [by_id.get(e["id"], e) for e in earlier] + [e for e in fresh if e["id"] not in kept]


def _plain(text_: object) -> str:
    """A text as written, or the first of a text given by language."""
    if isinstance(text_, dict):
        return str(next(iter(text_.values()), ""))
    return str(text_ or "")


def _carry_over(path: Path, data: dict[str, Any], imported: set[str], later: bool) -> None:
    """What the importer wrote in the meeting file at PATH before, that this import cannot
    know for want of the meetings it leaves out (--committee, --from, --to), and must not
    unmake: the links it inferred (considers, decides) to meetings not among IMPORTED (the
    ids of this import's meetings: of those, what it infers now is right), of the items
    and decisions it still has; and approved minutes, while they are still published and
    no later meeting of the body with published minutes is imported (LATER: one is, which
    says it afresh)."""
    old = _yaml_of(path)
    if not isinstance(old, dict):
        return
    if old.get("record") == "approved" and data.get("record") == "draft" and not later:
        data["record"] = "approved"

    def outside(ref: object) -> bool:
        return isinstance(ref, str) and ref.split("/", 1)[0] not in imported

    before = {i.get("id"): i for i in old.get("items") or [] if isinstance(i, dict) and i.get("inferred")}
    for item in data.get("items") or []:
        earlier = before.get(item.get("id"))
        if earlier is None or item.get("exempt"):
            continue
        considers = [r for r in earlier.get("considers") or [] if outside(r) and r not in item.get("considers", [])]
        if considers:
            item["considers"] = [*item.get("considers", []), *considers]
            item["inferred"] = True
        decided = {d.get("id"): d for d in earlier.get("decisions") or [] if isinstance(d, dict)}
        for decision in item.get("decisions") or []:
            known = {s.get("ref") for s in decision.get("decides", [])}
            steps = (decided.get(decision.get("id")) or {}).get("decides") or []
            steps = [s for s in steps if isinstance(s, dict) and outside(s.get("ref")) and s.get("ref") not in known]
            if steps:
                decision["decides"] = [*decision.get("decides", []), *steps]
                item["inferred"] = True


def _english_key(content: Path, log: Log) -> str:
    """The key that marks a text English in CONTENT's site.yaml (its languages' "en" or
    "en-GB", say) when the site's first language is another; "" when texts are written
    plain (a site in English first, or one with no site.yaml yet: the import writes one)."""
    site = _yaml_of(content / "site.yaml")
    if not isinstance(site, dict):
        return ""
    languages = [str(x) for x in site.get("languages") or [site.get("language") or "en"]]
    if not languages or languages[0].lower().startswith("en"):
        return ""
    english = next((x for x in languages if x.lower().startswith("en")), "")
    if not english:
        log(
            f"  the site is published in {', '.join(languages)} only: the imported texts, which are English, "
            "are written as they are, and read as the site's first language"
        )
    return english


def _in_language(data: dict[str, Any], obj: fields.Obj, language: str) -> None:
    """Give each text of DATA (a mapping of OBJ's keys: a meeting, a body, a person) that a
    clerk may give by language as a text in LANGUAGE ({en: ...}), its nested ones too."""
    for key, value in data.items():
        spec = obj.keys.get(key)
        if spec is None:
            continue
        if spec.translatable and isinstance(value, str) and value:
            data[key] = {language: value}
        elif spec.holds_list is not None and isinstance(value, list):
            for entry in value:
                if isinstance(entry, dict):
                    _in_language(entry, spec.holds_list, language)
        elif spec.holds is not None and isinstance(value, dict):
            _in_language(value, spec.holds, language)


def _still_public(path: Path, restricted: list[tuple[str, str]]) -> list[str]:
    """The titles of those of RESTRICTED (the items the service restricts: title, address
    in ModernGov) that the meeting file at PATH has as an item not marked exempt, known by
    its `source:` or by its title (in any language: a person may have changed either), all
    of them when the file cannot be read."""
    data = _yaml_of(path)
    if data is _UNREAD:
        return [title for title, _ in restricted]
    items = data.get("items") if isinstance(data, dict) else None
    sources, titles = set(), set()
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and not item.get("exempt"):
            if item.get("source"):
                sources.add(item["source"])
            title = item.get("title")
            titles.update(title.values() if isinstance(title, dict) else [title])
    return [title for title, source in restricted if (source and source in sources) or title in titles]


def _front(path: Path) -> dict[str, Any]:
    """A meeting file's `source`, `date` and `aliases` (of a .md file, its front matter's), those
    it has, as YAML reads them; none when it cannot be read. Found line by line, not by
    reading the whole file as YAML: a council's files are read at every import (10,000 of
    them took 100 s so)."""
    try:
        text_ = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    if text_.startswith("---"):
        end = text_.find("\n---", 3)
        text_ = text_[3:] if end == -1 else text_[3:end]
    lines = []
    for key in ("source", "date", "aliases"):
        found = re.search(rf"^{key}:.*(?:\n(?:[ \t#-].*|[ \t]*)(?=\n|$))*", text_, re.M)  # (its line, and what nests)
        if found:
            lines.append(found.group())
    try:
        data = yaml.load("\n".join(lines), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _unnamed_downloads(writer: Writer) -> tuple[list[str], list[str]]:
    """Remove the documents the importer downloaded (as it left them) that no file of the
    content folder names any more: one the service has since restricted, or dropped, is not
    published on from files/. Those removed that an earlier import downloaded (not this
    run's, whose meeting was not written: Writer.downloaded), and the files under DOWNLOADS that no file
    names and that the importer does not know as its own (left, and named for a person)."""
    content = writer.content
    named: set[str] = set()  # (in the files the reader reads: a draft it leaves out names nothing published)
    for path in [*sorted(content.glob("*.y*ml")), *meeting_files(content)]:
        try:
            text_ = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if DOWNLOADS in text_:
            named.update(name.rstrip(".,;:") for name in _DOWNLOADED.findall(text_))
    removed = []
    for rel in sorted(rel for rel in writer.manifest if rel.startswith(f"{DOWNLOADS}/")):
        if not (content / rel).exists():
            writer.manifest.pop(rel, None)
        elif writer.owned(rel) and rel not in named:
            writer.remove(rel)
            if rel not in writer.downloaded:
                removed.append(rel)
    folder = content / DOWNLOADS
    unknown = []
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        rel = path.relative_to(content).as_posix()
        if path.name.startswith(".") and path.name.endswith(".importing") and path.is_file():
            path.unlink()  # (a download an interrupted import left half written: its own, never published)
            removed.append(rel)
        elif path.is_file() and not path.name.startswith(".") and rel not in writer.manifest and rel not in named:
            unknown.append(rel)  # (a hidden file is never published: see files.scan)
    return removed, unknown


_DOWNLOADED = re.compile(
    rf"{re.escape(DOWNLOADS)}/[^\s\"'()\[\]<>#?]+"
)  # (a name under DOWNLOADS, as any text gives it)


def _kept_ids(writer: Writer, rel: str) -> set[str] | None:
    """The ids (and aliases) in REL when a person changed it since the import wrote it; else None."""
    if writer.owned(rel):
        return None
    entries = _yaml_of(writer.content / rel)
    if entries is _UNREAD:
        return set()
    ids: set[str] = set()
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            ids.add(str(entry.get("id", "")))
            ids.update(str(a) for a in entry.get("aliases") or [])
    return ids


def _bodies(service: Service, options: Options) -> dict[str, Body]:
    root = service.get("GetCommittees")
    out: dict[str, Body] = {}
    used: set[str] = set()
    for committee in all_of(root, ".//committee"):
        mg_id = text(committee, "committeeid")
        title = text(committee, "committeetitle")
        if not mg_id or not title or flag(committee, "committeedeleted"):
            continue
        if options.committees and mg_id not in options.committees:
            continue
        bid = _unique(slugify(title), used)
        out[mg_id] = Body(mg_id, bid, title, kind_of(title, text(committee, "committeecategory")))
    if not out:
        raise ImportFailed(f"GetCommittees at {service.url('GetCommittees', {})}: no committees to import")
    return out


def _people(service: Service) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """people.yaml's entries by id, and person ids by ModernGov member id."""
    root = service.get("GetCouncillorsByWard")
    people: dict[str, dict[str, Any]] = {}
    by_member: dict[str, str] = {}
    for ward in all_of(root, ".//ward"):
        ward_name = text(ward, "wardtitle")
        for councillor in all_of(ward, ".//councillor"):
            name = text(councillor, "fullusername")
            if not name:
                continue
            pid = _person_id(name, people)
            entry: dict[str, Any] = {"id": pid, "name": name, "role": "member"}
            if text(councillor, "politicalpartytitle"):
                entry["party"] = text(councillor, "politicalpartytitle")
            if ward_name:
                entry["ward"] = ward_name
            people[pid] = entry
            member = text(councillor, "councillorid")
            if member:
                by_member[member] = pid
    return people, by_member


def _person_id(name: str, people: dict[str, Any]) -> str:
    """cllr-jane-smith for Councillor Jane Smith; an officer's name as it is (dana-reeve)."""
    plain = re.sub(r"^(county |city |borough )?(councillor|cllr\.?)\s+", "", name.strip(), flags=re.I)
    if plain != name.strip():
        return _unique("cllr-" + slugify(plain), set(people))
    return _unique(slugify(re.sub(r"^(mr|mrs|ms|miss|mx|dr)\.?\s+", "", plain, flags=re.I)), set(people))


def _unique(base: str, used: set[str]) -> str:
    base = base[:60].strip("-") or "x"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def _meeting_dates(service: Service, body: Body, options: Options) -> Iterator[Element]:
    start = options.start
    while start <= options.end:
        end = min(options.end, start + dt.timedelta(days=WINDOW_DAYS - 1))
        params = {"lCommitteeId": body.mg_id, "sFromDate": f"{start:%d/%m/%Y}", "sToDate": f"{end:%d/%m/%Y}"}
        settled = end < options.today - dt.timedelta(days=SETTLED_DAYS)
        root = service.get("GetMeetings", params, keep=settled)
        yield from all_of(root, ".//meeting")
        start = end + dt.timedelta(days=1)


def _meeting(
    service: Service,
    body: Body,
    listed: Element,
    names: dict[str, str],
    people: dict[str, dict[str, Any]],
    by_member: dict[str, str],
    options: Options,
) -> Imported | None:
    mg_id = text(listed, "meetingid")
    date = day(text(listed, "meetingdate"))
    if not mg_id or date is None:
        return None
    settled = date < options.today - dt.timedelta(days=SETTLED_DAYS)
    root = service.get("GetMeeting", {"lMeetingId": mg_id}, keep=settled, expect="meeting")
    meeting = root if root.tag == "meeting" else root.find(".//meeting")
    assert meeting is not None  # (see Service.get's EXPECT)
    date = day(text(meeting, "meetingdate")) or date
    status_text = text(meeting, "meetingstatus") or text(listed, "meetingstatus")
    cancelled = "cancel" in status_text.lower()
    postponed = "postpone" in status_text.lower()
    not_held = cancelled or postponed  # (no minutes nor decisions, whatever the service has)
    data: dict[str, Any] = {"body": body.id, "date": date}
    start = clock(text(meeting, "meetingtime") or text(listed, "meetingtime"))
    if start:
        data["start"] = start
    location = text(meeting, "meetinglocation")
    if location:
        data["location"] = location
    data["status"] = (
        "cancelled" if cancelled else "postponed" if postponed else "scheduled" if date >= options.today else "held"
    )
    published = flag(meeting, "minutepublished")
    data["record"] = "draft" if published and not not_held else "agenda"
    data["source"] = service.page(f"ieListDocuments.aspx?CId={body.mg_id}&MId={mg_id}")
    present, apologies, in_attendance, chair = _attendance(meeting, people, by_member)
    if chair:
        data["chair"] = chair
    if present:
        data["present"] = present
    if apologies:
        data["apologies"] = apologies
    if in_attendance:
        data["in_attendance"] = in_attendance
    save = _saver(service, options, date) if options.download else None
    withheld: list[tuple[str, str, str]] = []
    items, recommendations = _items(service, meeting, body, mg_id, names, not_held, save, withheld)
    if items:
        data["items"] = items
    if status_text and status_text.lower() not in ("confirmed", "cancelled", "postponed", ""):
        data["notes"] = f"The council's system gives this meeting's status as: {status_text}."
    found = Imported("", "", body, date, data, published and not not_held)
    found.recommendations = recommendations
    found.mg_id = mg_id
    found.restricted = [(title, source) for title, url, source in withheld if not url]
    found.withdrawn = [rel for _, url, _ in withheld if url and (rel := download_rel(url, date)) is not None]
    return found


def _attendance(
    meeting: Element, people: dict[str, dict[str, Any]], by_member: dict[str, str]
) -> tuple[list[str], list[str], list[str], str]:
    present: list[str] = []
    apologies: list[str] = []
    in_attendance: list[str] = []
    chair = ""
    for attendee in all_of(meeting, ".//attendees/attendee"):
        name = decode(attendee.get("name", ""))
        member = attendee.get("memberid", "")
        if not name and member not in by_member:
            continue
        key = member or f"name:{name.lower()}"  # (one without a member id is known by the name given)
        pid = by_member.get(key)
        if pid is None:
            pid = _person_id(name, people)
            entry: dict[str, Any] = {
                "id": pid,
                "name": name,
                "role": "member" if attendee.get("politicalparty") else "other",
            }
            if decode(attendee.get("politicalparty", "")):
                entry["party"] = decode(attendee.get("politicalparty", ""))
            if decode(attendee.get("ward", "")):
                entry["ward"] = decode(attendee.get("ward", ""))
            people[pid] = entry
            by_member[key] = pid
        attendance = decode(attendee.get("attendance", "")).lower()
        role = decode(attendee.get("roledescription", "")).lower()
        if pid in present or pid in apologies or pid in in_attendance:
            continue  # (listed twice by the service: as it lists them first, as the reader counts them)
        if "apolog" in attendance:
            apologies.append(pid)
        elif "in attendance" in attendance or "officer" in role:
            if "present" in attendance or "attendance" in attendance:
                in_attendance.append(pid)
        elif "present" in attendance or attendance in ("attended", "yes"):
            present.append(pid)
            if re.match(r"(vice[- ])?chair", role) and not role.startswith("vice") and not chair:
                chair = pid
        # "Expected" (the usual answer before and often after a meeting) records nothing
    return present, apologies, in_attendance, chair


def _saver(service: Service, options: Options, date: dt.date) -> Callable[[str], str]:
    """For --download: a document's href, as a path under files/ once it is saved there (the
    kinds of file sitegen publishes only, from the service's own host), else its address."""

    home = site_of(service.base)

    def save(url: str) -> str:
        rel = download_rel(url, date)
        if rel is None:
            return url
        if site_of(url) != home:  # (only the council's own: never another address it names)
            service.log(f"  not downloaded (on another site than the service's; the page links to it): {url}")
            return url
        return rel if service.download(url, options.content / rel, service.log) else url

    return save


def download_rel(url: str, date: dt.date) -> str | None:
    """Where --download saves the document at URL, of a meeting on DATE (under files/); None
    for a kind of file sitegen does not publish (the page links to the original)."""
    from .files import is_document

    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    stem, dot, suffix = name.rpartition(".")
    if not dot or not is_document(name):
        return None
    digest = hashlib.sha256(url.encode()).hexdigest()[:8]  # (two documents may share a name)
    return f"{DOWNLOADS}/{date.year}/{slugify(stem)[:60]}-{digest}.{suffix.lower()}"


def _items(
    service: Service,
    meeting: Element,
    body: Body,
    mg_meeting: str,
    names: dict[str, str],
    cancelled: bool,
    save: Callable[[str], str] | None = None,
    withheld: list[tuple[str, str, str]] | None = None,
) -> tuple[list[dict[str, Any]], list[tuple[str, str, str]]]:
    """The agenda items of MEETING, and its recommendations. WITHHELD: given the (item
    title, document address, item address) of what the service restricts: each restricted
    item (with no document address), and each restricted document (see run: an earlier
    import's copy goes)."""
    items: list[dict[str, Any]] = []
    recommendations: list[tuple[str, str, str]] = []
    used: set[str] = set()
    for agenda in all_of(meeting, ".//agendaitems/agendaitem"):
        number = text(agenda, "fulldisplaynumberformat").rstrip(".").strip()  # ("5." as printed: the page adds the dot)
        title = text(agenda, "agendaitemtitle")
        if not title or text(agenda, "agendaitemnumber") == "0" or number == "0":
            continue  # a heading
        iid = _unique(slugify(title)[:50].strip("-"), used)
        item: dict[str, Any] = {"id": iid}
        if number:
            item["number"] = number
        item["title"] = title
        mg_item = text(agenda, "agendaitemid")
        if mg_item:
            item["source"] = service.page(f"mgAi.aspx?ID={mg_item}")
        if restricted(agenda):
            item["exempt"] = "Restricted in the council's system: exempt information, not for publication"
            items.append(item)
            if withheld is not None:
                withheld.append((title, "", item.get("source", "")))
                withheld += [
                    (title, _address(service, doc), "") for doc in all_of(agenda, ".//linkeddocuments/linkeddoc")
                ]
            continue
        minutes = markdown(text_raw(agenda, "minutesnonemptyhtmlbody"), service.base)
        if len(minutes) > MAX_TEXT:  # (more than a page shows: the original record has them)
            minutes = LONG_MINUTES
        if minutes and not cancelled:
            item["minutes"] = minutes
        if flag(agenda, "isdecision") and flag(agenda, "isdecisionpublished") and not cancelled:
            decided = markdown(text_raw(agenda, "decisionnonemptyhtmlbody"), service.base)
            decisions = []
            for made in split_decisions(decided, names):
                entry: dict[str, Any] = {"id": made.id}
                if made.to and made.to != body.id:
                    entry["type"] = "recommendation"
                    entry["to"] = made.to
                    recommendations.append((f"{iid}/{made.id}", made.to, title))
                entry["text"] = made.text if len(made.text) <= MAX_TEXT else LONG_DECISION
                decisions.append(entry)
            if decisions:
                item["decisions"] = decisions
        documents = []
        for doc in all_of(agenda, ".//linkeddocuments/linkeddoc"):
            if restricted(doc):
                if withheld is not None:
                    withheld.append((title, _address(service, doc), ""))
                continue
            doc_title = text(doc, "title") or "Document"
            href = _address(service, doc)
            if href.startswith(("https://", "http://")):
                documents.append({"title": doc_title, "href": save(href) if save is not None else href})
        if documents:
            item["documents"] = documents
        items.append(item)
    return items, recommendations


def _address(service: Service, doc: Element) -> str:
    """A linked document's address, absolute ("" when it has none)."""
    href = text(doc, "url")
    return urllib.parse.urljoin(service.base, href.replace(" ", "%20")) if href else ""


def text_raw(element: Element, tag: str) -> str:
    """The text of TAG as it is (HTML, to be converted)."""
    found = element.find(tag)
    return (found.text or "") if found is not None else ""


@dataclass
class Known:
    """A meeting file in the content folder before the import."""

    rel: str  # its path relative to the content folder
    id: str  # the meeting's id (the file's name)
    mg_id: str  # the service's meeting id, the MId of the page its `source:` names ("": none, a person's own)
    date: dt.date | None
    aliases: list[str]
    meeting: bool = True  # a meeting's (else a decision file's: its id and aliases are taken, nothing more)


def _meeting_files(content: Path) -> list[Known]:
    """Every file of CONTENT the reader reads as a meeting's or a decision's (validate.meeting_files:
    they share one id space), as it is before the import."""
    out = []
    for path in meeting_files(content):
        if path.is_symlink() or not path.is_file():
            continue
        fields = _front(path)
        try:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(str(fields.get("source") or "")).query)
        except ValueError:
            query = {}
        date = fields.get("date")
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date)
            except ValueError:
                date = None
        aliases = fields.get("aliases")
        rel = path.relative_to(content).as_posix()
        out.append(
            Known(
                rel,
                path.stem,
                (query.get("MId") or [""])[0],
                date if isinstance(date, dt.date) and not isinstance(date, dt.datetime) else None,
                [str(a) for a in aliases] if isinstance(aliases, list) else [],
                rel.startswith(f"{RECORD_FOLDERS[0]}/"),
            )
        )
    return out


def _name_meetings(meetings: list[Imported], known: list[Known], owned: Callable[[str], bool]) -> list[Imported]:
    """Each meeting's id and file: YYYY-MM-DD-BODY, -2 for a body's second meeting that day.
    A meeting imported before (KNOWN: the meeting files, see _meeting_files) keeps its file
    while its date is the same, whatever else the service lists that day; a new one never
    takes another file's name, nor an id a file lists under its aliases (an old address).
    One the service moved to another day gets a new file, and knows its files of other
    days (stale). A person's own file (with no `source:`) of a body's meeting on a day stands
    for the first meeting of that body that day: those meetings are returned, not to be
    imported. OWNED: whether a file is as the importer wrote it."""
    meetings.sort(key=lambda x: (x.date, x.data.get("start", ""), x.body.id, x.data["source"]))
    by_mid: dict[str, list[Known]] = {}
    for file in known:
        if file.mg_id and file.meeting:
            by_mid.setdefault(file.mg_id, []).append(file)
    own = {file.id: file for file in known if not file.mg_id and file.meeting}
    used = {file.id for file in known} | {alias for file in known for alias in file.aliases}
    left, mine = [], []
    for found in meetings:
        files = by_mid.get(found.mg_id, []) if found.mg_id else []
        same = [file for file in files if file.date == found.date]
        if same:
            found.rel, found.id, found.aliases = same[0].rel, same[0].id, same[0].aliases
        else:
            left.append(found)
        found.stale = [file for file in files if file.date != found.date]
    for found in left:
        natural = f"{found.date.isoformat()}-{found.body.id}"
        person = own.pop(natural, None)
        if person is not None:
            found.id, found.rel = natural, person.rel
            mine.append(found)
            continue
        # (its old ids in the importer's files, which go, may be given again: a meeting moved back
        # to its first day has its first id)
        going = [file for file in found.stale if owned(file.rel)]
        free = used - {file.id for file in going} - {alias for file in going for alias in file.aliases}
        found.id = _unique(natural, free)
        used.add(found.id)
        found.rel = f"{RECORD_FOLDERS[0]}/{found.date.year}/{found.id}.yaml"  # (content/meetings/YYYY/)
    return mine


def _stages(meetings: list[Imported]) -> None:
    """A meeting's minutes are approved once a later meeting of the same body has published
    minutes (which will have approved them); until then they are a draft."""
    later_minutes: set[str] = set()
    for found in reversed(meetings):  # newest first
        if found.data["record"] == "draft" and found.body.id in later_minutes:
            found.data["record"] = "approved"
        if found.minutes:
            later_minutes.add(found.body.id)


def _link(meetings: list[Imported], bodies: dict[str, Body]) -> tuple[int, list[tuple[str, str]]]:
    """Recommendations to a body linked to the first later meeting of that body (within 180
    days) with an item whose title names the recommending body or the item's title: a
    `considers:` marked `inferred: true`; and `decides:` where that item's decision says
    plainly that the recommendations were approved. Returns (linked, left for a person)."""
    by_body: dict[str, list[Imported]] = {}
    for found in meetings:
        by_body.setdefault(found.body.id, []).append(found)
    linked = 0
    left: list[tuple[str, str]] = []
    for found in meetings:
        for local, to, title in found.recommendations:
            ref = f"{found.id}/{local}"
            target = _considering(by_body.get(to, []), found, title)
            if target is None:
                left.append((ref, f"no later meeting of {to} with a matching item"))
                continue
            item = target
            item.setdefault("considers", []).append(ref)
            item["inferred"] = True
            linked += 1
            decisions = item.get("decisions") or []
            plain = re.compile(r"\brecommendations?\b.*\b(approved|agreed|adopted|endorsed)\b", re.I | re.S)
            if decisions and plain.search(decisions[0].get("text", "")):
                decisions[0].setdefault("decides", []).append({"ref": ref, "outcome": "approved"})
            else:
                left.append((ref, "considered; its outcome is for a person to record (decides:)"))
    return linked, left


def _considering(candidates: list[Imported], source: Imported, title: str) -> dict[str, Any] | None:
    words = {w for w in re.findall(r"[a-z]{4,}", title.lower())}
    for later in candidates:
        if not (source.date < later.date <= source.date + dt.timedelta(days=180)):
            continue
        for item in later.data.get("items", []):
            if item.get("exempt"):
                continue
            name = item["title"].lower()
            if source.body.name.lower() in name or (words and len(words & set(re.findall(r"[a-z]{4,}", name))) >= 2):
                return item
    return None
