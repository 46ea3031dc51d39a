"""The theme's Jinja environment escapes exactly as Jinja with markupsafe does."""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from sitegen.markdown import Markdown
from sitegen.render import environment
from sitegen.urls import Urls


class Shown:
    def __html__(self) -> str:
        return "<b>shown</b>"

    def __str__(self) -> str:
        return "<never>"


class Plain:
    def __str__(self) -> str:
        return "a < b & 'c'"


VALUES = {
    "text": "<script>alert(\"x\" & 'y')</script>",
    "safe": Markup("<em>kept</em>"),
    "number": 1240000,
    "none": None,
    "html": Shown(),
    "plain": Plain(),
    "empty": "",
}
SOURCE = (
    "{{ text }}|{{ safe }}|{{ number }}|{{ none }}|{{ html }}|{{ plain }}|{{ empty }}|"
    "{{ text ~ safe }}|{% set s %}{{ text }}{% endset %}{{ s }}|{% macro m(v) %}<{{ v }}>{% endmacro %}{{ m(text) }}"
)


def test_outputs_are_escaped_as_jinja_and_markupsafe_escape_them(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text(SOURCE)
    ours = environment([tmp_path], Urls(), Markdown(lambda ref: None)).get_template("t.html").render(**VALUES)
    reference = jinja2.Environment(autoescape=True).from_string(SOURCE).render(**VALUES)
    assert ours == reference
    assert "&lt;script&gt;alert(&#34;x&#34; &amp; &#39;y&#39;)&lt;/script&gt;" in ours


class Record:
    """Attributes of every kind a template reads: plain, None, a method, a property that
    fails, a nested object; and a mapping read with a dot."""

    title = "Budget <2027>"
    empty = None
    inner = Plain()

    def shout(self) -> str:
        return self.title.upper()

    @property
    def broken(self) -> str:
        raise AttributeError("computed from something missing")


ATTRIBUTES = {"r": Record(), "d": {"key": "from a mapping", "items": "an item named like a method"}, "n": 7}
ATTRIBUTE_SOURCE = (
    "{{ r.title }}|{{ r.empty }}|{{ r.shout() }}|{{ r.inner }}|{{ r.title.upper() }}|{{ d.key }}|"
    "{{ d['key'] }}|{{ d.items is defined }}|{{ r.broken is defined }}|{{ r.missing is defined }}|"
    "{{ n.real }}|{% for k in d|sort %}{{ d[k].upper() }};{% endfor %}|"
    "{% macro m(x=r.title) %}{{ x.lower() }}{% endmacro %}{{ m() }}|{{ (r.title if r.empty is none else 'no').title() }}"
)


def test_attributes_are_read_as_jinja_reads_them(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text(ATTRIBUTE_SOURCE)
    env = environment([tmp_path], Urls(), Markdown(lambda ref: None))
    ours = env.get_template("t.html").render(**ATTRIBUTES)
    reference = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    assert ours == reference.from_string(ATTRIBUTE_SOURCE).render(**ATTRIBUTES)
    assert "|from a mapping|" in ours and "|False|False|" in ours
    for wrong in ("{{ r.missing }}", "{{ r.broken }}", "{{ d.nothing }}", "{{ r.missing.deeper }}"):
        (tmp_path / "templates" / "u.html").write_text(wrong)
        env = environment([tmp_path], Urls(), Markdown(lambda ref: None))
        try:
            env.get_template("u.html").render(**ATTRIBUTES)
        except jinja2.UndefinedError as exc:
            message = str(exc)
        else:
            raise AssertionError(f"{wrong} rendered without an error")
        try:
            reference.from_string(wrong).render(**ATTRIBUTES)
        except jinja2.UndefinedError as exc:
            assert message == str(exc)
