"""Read content files into plain values that remember their line numbers.

YAML is read the way a clerk expects rather than the YAML 1.1 way: only
``true`` and ``false`` are booleans, ``18:30`` and ``2011-11-16`` stay text
(the validator parses them), numbers keep the digits as typed, and a key
given twice is an error instead of silently keeping the last.
"""

from __future__ import annotations

import hashlib
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, Problems

try:  # the C parser is several times faster; fall back quietly without it
    from yaml import CSafeLoader as _Base
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Base  # type: ignore[assignment]


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """Only composes nodes: the converter below decides what each scalar means, so
    PyYAML's tag resolution (a Python call per value) is skipped."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return "tag:yaml.org,2002:str"

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NODES = 1_000_000
MAX_DEPTH = 64
MAX_ALIAS_REPEATS = 10_000

_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_SPECIAL = _NULLS | _TRUE | _FALSE
_SCALAR = yaml.ScalarNode

# Characters a page, feed or calendar cannot carry (XML forbids C0 controls but tab and
# newline, lone surrogates and U+FFFE/U+FFFF; HTML calls the C1 controls errors), and the
# bidirectional embeddings, overrides and isolates, which reorder how text is shown and
# can make a name or a sum read as something it is not.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def forbidden_message(char: str) -> str:
    """What is wrong with CHAR (a FORBIDDEN character) and how to mend it."""
    import unicodedata

    code = f"U+{ord(char):04X}"
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return (
            f"the text holds the bidirectional control character {code} ({unicodedata.name(char, 'control')}), "
            "which changes the order text is shown in; delete it"
        )
    if "\ud800" <= char <= "\udfff":
        return f"the text holds {code}, half of a character (a lone surrogate), which cannot be published; delete it"
    return (
        f"the text holds the control character {code}, which cannot be published "
        "(often pasted in from another program unseen); delete it"
    )


class Num(str):
    """A plain YAML scalar that looks like a number; keeps the digits as typed."""

    def as_int(self) -> int | None:
        return int(self) if _INT.match(self) else None


class LMap(dict):
    """A mapping that knows the line of itself, of each key and of each value."""

    line: int
    key_lines: dict[str, int]
    value_lines: dict[str, int]

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key: str) -> int:
        return self.value_lines.get(key, self.key_line(key))


class LList(list):
    """A sequence that knows its own line and the line of each entry."""

    line: int
    item_lines: list[int]


class _TooBig(Exception):
    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


class _Converter:
    def __init__(self, rel: str, offset: int, problems: Problems) -> None:
        self.rel = rel
        self.offset = offset
        self.problems = problems
        self.budget = MAX_NODES
        self.seen: set[int] = set()
        self.repeats = MAX_ALIAS_REPEATS

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def convert(self, node: yaml.Node, depth: int = 0) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooBig(f"the file holds more than {MAX_NODES} values; split it up")
        if node.tag not in _PLAIN_TAGS:
            self.problems.error(
                Location(self.rel, self.line(node)),
                f'YAML tags such as "{node.tag.replace("tag:yaml.org,2002:", "!!")}" are not used in content files; '
                "remove the tag and write the value as it is",
            )
        if node.__class__ is _SCALAR:
            if node.style == '"':  # only double quotes have escapes (\u000b) that make what the file shows not
                found = FORBIDDEN.search(node.value)
                if found is not None:
                    self.problems.error(Location(self.rel, self.line(node)), forbidden_message(found.group()))
                    return FORBIDDEN.sub("", node.value)  # (the error stops the build; no second one for the same text)
            return self.scalar(node)  # type: ignore[arg-type]
        key = id(node)
        if key in self.seen:  # reached again through an alias
            self.repeats -= 1
            if self.repeats < 0:
                raise _TooBig(
                    "YAML aliases (*name) here expand to too many values; write the values out instead", self.line(node)
                )
        else:
            self.seen.add(key)
        if depth > MAX_DEPTH:
            raise _TooBig(f"values are nested more than {MAX_DEPTH} levels deep", self.line(node))
        offset = self.offset + 1
        if isinstance(node, yaml.SequenceNode):
            out = LList()
            out.line = node.start_mark.line + offset
            out.item_lines = lines = []
            for child in node.value:
                out.append(self.convert(child, depth + 1))
                lines.append(child.start_mark.line + offset)
            return out
        out_map = LMap()
        out_map.line = node.start_mark.line + offset
        out_map.key_lines = key_lines = {}
        out_map.value_lines = value_lines = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is _SCALAR and key_node.value == "<<" and not key_node.style:
                self.problems.error(
                    Location(self.rel, key_node.start_mark.line + offset),
                    'YAML merge keys ("<<: *name") are not used in content files; write the keys out in full',
                )
                continue
            if key_node.__class__ is _SCALAR and not key_node.style and key_node.value not in _SPECIAL:
                key = key_node.value  # the common case: a plain word
            else:
                key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if key is None or isinstance(key, bool):
                    key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                key = str(key)
            kline = key_node.start_mark.line + offset
            if key in key_lines:
                first = key_lines[key]
                self.problems.error(
                    Location(self.rel, kline),
                    f'duplicate key "{key}" (first given on line {first}); keep one of them',
                )
                continue
            key_lines[key] = kline
            # a block scalar's (| or >) text starts on the line after its key: messages point there
            block = value_node.__class__ is _SCALAR and value_node.style in ("|", ">")
            value_lines[key] = value_node.start_mark.line + offset + block
            out_map[key] = self.convert(value_node, depth + 1)
        return out_map

    @staticmethod
    def scalar(node: yaml.ScalarNode) -> Any:
        text = node.value
        if node.style:  # quoted or block scalar: always text (plain is None or "")
            return text
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if text in _NULLS:
            return None
        if _INT.match(text) or _FLOAT.match(text):
            return Num(text)
        return text


def _yaml_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem = exc.problem or "cannot be read"
    mark = exc.problem_mark
    if mark is not None:
        lines = text.split("\n")
        line = lines[mark.line] if mark.line < len(lines) else ""
        if "tab character where an indentation space" in problem:  # (libyaml's words)
            return (
                "the first line of this block of text starts with a tab, which YAML does not allow "
                "there (often pasted in from a word processor); delete the tab, or type spaces instead"
            )
        if "\t" in line[: len(line) - len(line.lstrip())] or "\\t" in problem:
            return "YAML does not allow tab characters for indentation; indent with spaces"
    text = f"YAML syntax error: {problem}"
    if exc.context:
        text += f" ({exc.context})"
    return text


def parse_yaml(text: str, rel: str, problems: Problems, offset: int = 0) -> Any:
    """Parse one YAML document; problems are recorded, None returned on failure."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else 1 + offset
        # an error found at the end of the text is on its last line, not the one after it
        line = min(line, text.rstrip().count("\n") + 1 + offset)
        problems.error(Location(rel, line), _yaml_message(exc, text))
        return None
    except yaml.YAMLError as exc:  # e.g. several documents in one file
        problems.error(Location(rel, 1 + offset), f"YAML error: {exc}")
        return None
    except RecursionError:
        problems.error(Location(rel, 1 + offset), f"values are nested more than {MAX_DEPTH} levels deep")
        return None
    if node is None:
        return None
    converter = _Converter(rel, offset, problems)
    try:
        return converter.convert(node)
    except _TooBig as exc:
        problems.error(Location(rel, exc.line or converter.line(node)), str(exc))
        return None


_PLAIN_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


def check_characters(text: str, rel: str, problems: Problems, offset: int = 0) -> bool:
    """Report each line of TEXT that holds a FORBIDDEN character, at that line; False if any."""
    found = FORBIDDEN.search(text)
    if found is None:
        return True
    reported = 0
    while found is not None and reported < 20:
        line = text.count("\n", 0, found.start()) + 1 + offset
        problems.error(Location(rel, line), forbidden_message(found.group()))
        reported += 1
        found = FORBIDDEN.search(text, text.find("\n", found.start()) + 1 or len(text))
    return False


def digest_of(data: bytes) -> str:
    """The digest a meeting file is known by when its time alone changed (see
    validate.ParseCache.stale)."""
    return hashlib.sha1(data).hexdigest()


def read_text(path: Path, rel: str, problems: Problems, digest: list[str] | None = None) -> str | None:
    """The file as text (UTF-8, BOM and CRLF accepted), or None with a problem recorded.
    DIGEST: given a digest of the very bytes read, when they could be read."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a pipe or a device would be read for ever
            problems.error(Location(rel, 1), "this is not a regular file (a pipe or a device?); remove it")
            return None
        size = st.st_size
        if size > MAX_FILE_BYTES:
            problems.error(
                Location(rel, 1),
                f"file is {size / 1048576:.1f} MB; the limit is {MAX_FILE_BYTES // 1048576} MB "
                "(put long documents under files/ and link them)",
            )
            return None
        data = path.read_bytes()
        if digest is not None:
            digest.append(digest_of(data))
    except OSError as exc:
        problems.error(Location(rel, 1), f"cannot read the file: {exc.strerror}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.error(
            Location(rel, line),
            f"the file is not UTF-8 text (byte offset {exc.start}: 0x{data[exc.start]:02x}); save it as UTF-8",
        )
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        problems.error(Location(rel, 1), "the file is empty")
        return None
    if not check_characters(text, rel, problems):
        # (reported, and the build fails: the rest of the file is still read without them,
        # so that its other problems are reported too, every one at once)
        text = FORBIDDEN.sub("", text)
    return text


def read_yaml(path: Path, rel: str, problems: Problems) -> Any:
    text = read_text(path, rel, problems)
    if text is None:
        return None
    return parse_yaml(text, rel, problems)


@dataclass
class MeetingSource:
    """A meeting file split into its record and its Markdown notes."""

    rel: str
    data: Any
    notes: str | None
    notes_line: int


_FENCE = re.compile(r"(?:---|\.\.\.)[ \t]*$", re.M)
_NEXT_FENCE = re.compile(r"\n(?:---|\.\.\.)[ \t]*$", re.M)  # led by a newline: searched fast


def _fence(text: str) -> tuple[int, int] | None:
    """Where the first line of TEXT that is "---" or "..." (then spaces) starts and ends."""
    found = _FENCE.match(text)
    if found is not None:
        return found.start(), found.end()
    found = _NEXT_FENCE.search(text)
    return (found.start() + 1, found.end()) if found is not None else None


def read_meeting(path: Path, rel: str, problems: Problems, digest: list[str] | None = None) -> MeetingSource | None:
    text = read_text(path, rel, problems, digest)
    if text is None:
        return None
    if path.suffix.lower() != ".md":
        return MeetingSource(rel, parse_yaml(text, rel, problems), None, 0)
    first = text.split("\n", 1)[0].rstrip()
    if first != "---":
        problems.error(
            Location(rel, 1),
            'a meeting .md file starts with a line "---", then the meeting in YAML, then "---"',
        )
        return None
    rest = text[len(text.split("\n", 1)[0]) + 1 :]
    end = _fence(rest)
    if end is None:
        problems.error(Location(rel, 1), 'the front matter has no closing "---" line')
        return None
    front = rest[: end[0]]
    body = rest[end[1] + 1 :]
    body_line = 2 + front.count("\n") + 1
    before = len(problems.items)
    data = parse_yaml(front, rel, problems, offset=1)
    if data is None and len(problems.items) == before:
        problems.error(Location(rel, 1), "the front matter is empty")
    notes = body if body.strip() else None
    return MeetingSource(rel, data, notes, body_line)
