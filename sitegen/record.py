"""What a page reads of the model, recorded as it renders: the preview's dependencies.

While a page renders inside ``recording()``, every attribute read on a model object
(by a template, a filter, a macro or the Python they call) is noted, and so is every
template loaded and every ``ref:`` looked up. Nobody declares what a page shows: a
theme author writes templates, and what they read is what the page depends on.

Reads are kept by stable keys (``model.owned``: "m:ID/ITEM/DECISION", "p:ID", ...)
with their values normalized (a model object becomes its key, a list a tuple), so
that they can be compared with the same reads of the model after an edit, even when
the edited meeting's objects were made afresh.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from . import model as m
from .errors import Location

#: every class of the model whose attribute reads are recorded (derived from model.py:
#: its dataclasses, but not the constant table of states)
MODEL_CLASSES: tuple[type, ...] = tuple(
    dict.fromkeys(
        c
        for c in vars(m).values()
        if isinstance(c, type) and c.__module__ == m.__name__ and dataclasses.is_dataclass(c) and c is not m.State
    )
)

#: the fields of each class, the only attributes whose reads are kept: a property or a
#: method reads fields as it runs, and those reads are recorded
FIELDS: dict[type, frozenset[str]] = {c: frozenset(f.name for f in dataclasses.fields(c)) for c in MODEL_CLASSES}

REF = "\x00"  # marks a normalized model object: (REF, key)
LOOKUP = "\x01"  # a pseudo-object whose "attributes" are lookups: (LOOKUP + kind, name)

_reads: dict[tuple[int, str], object] | None = None  # (id(object), attribute) -> object, while recording
_extra: set[tuple[str, str]] | None = None  # (LOOKUP + kind, name) and ("\x02template", name) while recording
_get = object.__getattribute__


def _recording_getattribute(self: object, name: str) -> Any:
    value = _get(self, name)
    reads = _reads
    if reads is not None:
        reads[(id(self), name)] = self
    return value


class Recorder:
    """The reads of one page at a time (see recording)."""

    def __init__(self) -> None:
        self.reads: dict[tuple[int, str], object] = {}
        self.extra: set[tuple[str, str]] = set()

    def take(self) -> tuple[dict[tuple[int, str], object], set[tuple[str, str]]]:
        """What was read since the last take: (reads by (id(object), attribute), with the
        object; lookups and templates as (kind, name))."""
        global _reads, _extra
        out = (self.reads, self.extra)
        self.reads, self.extra = {}, set()
        _reads, _extra = self.reads, self.extra
        return out


@contextmanager
def recording() -> Iterator[Recorder]:
    """Record the model's attribute reads (and lookups, templates) made inside the block;
    take() them a page at a time. Not reentrant."""
    global _reads, _extra
    recorder = Recorder()
    for cls in MODEL_CLASSES:
        cls.__getattribute__ = _recording_getattribute  # type: ignore[method-assign]
    _reads, _extra = recorder.reads, recorder.extra
    try:
        yield recorder
    finally:
        _reads = _extra = None
        for cls in MODEL_CLASSES:
            del cls.__getattribute__  # type: ignore[misc]


def lookup(kind: str, name: str) -> None:
    """Note that the page being recorded looked NAME up by KIND (see Keys.value)."""
    if _extra is not None:
        _extra.add((LOOKUP + kind, name))


TEMPLATE = "\x02template"


def template_loaded(name: str) -> None:
    if _extra is not None:
        _extra.add((TEMPLATE, name))


def is_recording() -> bool:
    return _reads is not None


_SCALARS = (str, int, float, bool, type(None), dt.date, dt.time, dt.datetime, Location)


class Keys:
    """Every object of a model by a key that stays the same across builds (model.owned),
    and the values of reads in a form that compares across builds (normalize)."""

    def __init__(self, model: m.Model, lookups: dict[str, Callable[[str], object]] | None = None) -> None:
        self.model = model
        self.by_id: dict[int, str] = {}
        self.objects: dict[str, object] = {}
        for key, obj in m.owned(model):
            if id(obj) not in self.by_id:
                self.by_id[id(obj)] = key
                self.objects[key] = obj
        self.lookups = lookups or {}

    def normalize(self, value: object) -> object:
        if isinstance(value, _SCALARS):
            return value
        key = self.by_id.get(id(value))
        if key is not None:
            return (REF, key)
        kind = type(value)
        if kind is list or kind is tuple:
            return tuple([self.normalize(x) for x in value])  # type: ignore[attr-defined]
        if kind is dict:
            return ("\x03dict", tuple([(k, self.normalize(x)) for k, x in value.items()]))  # type: ignore[attr-defined]
        if kind in MODEL_CLASSES:
            return (REF + "?", kind.__name__, id(value))  # not owned by the model: equal only to itself
        if kind is m.State:
            return ("\x03state", value.name)  # type: ignore[attr-defined]
        if callable(value):
            return ("\x03callable", getattr(value, "__qualname__", ""))
        return value

    def value(self, key: str, attr: str) -> object:
        """The normalized value of a recorded read, as the model has it now (a
        lookup: what the lookup gives now). A sentinel when the object is gone."""
        if key[0] == LOOKUP:
            find = self.lookups.get(key[1:])
            return GONE if find is None else self.normalize(find(attr))
        obj = self.objects.get(key)
        if obj is None:
            return GONE
        try:
            return self.normalize(getattr(obj, attr))
        except Exception:  # (a property that cannot be worked out now)
            return GONE

    def pairs(
        self, reads: dict[tuple[int, str], object], extra: set[tuple[str, str]]
    ) -> tuple[list[tuple[str, str, object]], set[str]]:
        """What recording() gave, by stable key: ([(key, attribute, value)], templates).
        (What this reads to find the values is not recorded.)"""
        global _reads, _extra
        paused = _reads, _extra
        _reads = _extra = None
        try:
            return self._pairs(reads, extra)
        finally:
            _reads, _extra = paused

    def _pairs(
        self, reads: dict[tuple[int, str], object], extra: set[tuple[str, str]]
    ) -> tuple[list[tuple[str, str, object]], set[str]]:
        out = []
        by_id = self.by_id
        fields = FIELDS
        for (oid, attr), obj in reads.items():
            if attr not in fields[type(obj)]:
                continue  # a property or method (what it read is recorded), or isinstance's __class__
            key = by_id.get(oid)
            if key is None:
                continue  # an object made while rendering, or not owned: what it shows was read from owned ones
            try:
                value = self.normalize(getattr(obj, attr))
            except Exception:
                continue
            out.append((key, attr, value))
        templates = set()
        for kind, name in extra:
            if kind == TEMPLATE:
                templates.add(name)
            else:
                out.append((kind, name, self.value(kind, name)))
        return out, templates


class _Gone:
    def __repr__(self) -> str:
        return "GONE"

    def __reduce__(self) -> str:
        return "GONE"


GONE = _Gone()
