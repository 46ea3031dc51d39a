"""The theme's Jinja environment escapes exactly as Jinja with markupsafe does."""

from __future__ import annotations

import jinja2
import pytest
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


class Pretender:
    """An object that claims to be a string (as proxies and mocks can)."""

    @property
    def __class__(self):  # type: ignore[no-untyped-def,override]
        return str

    def __str__(self) -> str:
        return "<pretend>"


VALUES = {
    "text": "<script>alert(\"x\" & 'y')</script>",
    "safe": Markup("<em>kept</em>"),
    "number": 1240000,
    "none": None,
    "html": Shown(),
    "plain": Plain(),
    "empty": "",
    "pretend": Pretender(),
}
SOURCE = (
    "{{ text }}|{{ safe }}|{{ number }}|{{ none }}|{{ html }}|{{ plain }}|{{ empty }}|{{ pretend }}|"
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
        else:
            raise AssertionError(f"stock Jinja rendered {wrong} without an error")


@pytest.mark.parametrize("site", ["example", "bilingual"])
def test_the_example_site_is_the_same_with_stock_jinja(tmp_path, monkeypatch, site):
    """The compiler changes (CodeGenerator, Template, call, the translators) can be switched
    off with SITEGEN_STOCK_JINJA=1; both must write the same bytes for every page, of the
    English example and of the bilingual one."""
    from conftest import EXAMPLE, ROOT

    from sitegen.cli import main

    if site == "bilingual":
        EXAMPLE = ROOT / "examples" / "cyngor-cymuned" / "content"  # noqa: N806

    assert (
        main(["build", "--content", str(EXAMPLE), "--output", str(tmp_path / "ours"), "--no-search", "--no-cache"]) == 0
    )
    monkeypatch.setenv("SITEGEN_STOCK_JINJA", "1")
    env = environment([tmp_path], Urls(), Markdown(lambda ref: None))
    assert env.code_generator_class is jinja2.compiler.CodeGenerator and env.template_class is jinja2.Template
    assert (
        main(["build", "--content", str(EXAMPLE), "--output", str(tmp_path / "stock"), "--no-search", "--no-cache"])
        == 0
    )
    ours = sorted(p.relative_to(tmp_path / "ours") for p in (tmp_path / "ours").rglob("*") if p.is_file())
    stock = sorted(p.relative_to(tmp_path / "stock") for p in (tmp_path / "stock").rglob("*") if p.is_file())
    assert ours == stock and len(ours) > 80
    for rel in ours:
        assert (tmp_path / "ours" / rel).read_bytes() == (tmp_path / "stock" / rel).read_bytes(), rel


MACRO_SOURCE = """\
{% macro plain(a, b) %}[{{ a }}|{{ b }}]{% endmacro %}\
{% macro defaults(a, level=3, show=false, prefix="") %}<h{{ level }}>{{ prefix }}{{ a }}{{ show }}</h{{ level }}>{% endmacro %}\
{% macro wrap(a) %}<div>{{ caller(a) }}</div>{% endmacro %}\
{% macro rest(a) %}{{ a }}{{ varargs }}{{ kwargs|dictsort }}{% endmacro %}\
{% macro nothing() %}{{ 1 / 0 if false else "none" }}{% endmacro %}\
{{ plain(text, safe) }} {{ defaults(text) }} {{ defaults(text, 4, prefix="p-") }} {{ defaults(a=text, show=true) }}
{% for x in [text, safe] %}{{ defaults(x, prefix=loop.index ~ "-") }}{{ plain(x, loop.index) }}{% endfor %}
{% call(v) wrap(text) %}called with {{ v }}{% endcall %} {{ rest(1, 2, 3, k=text) }} {{ nothing() }}
{% set captured = plain(1, 2) %}{{ captured }} {{ (plain(text, 1) ~ text)|length }} {{ plain(text, 1) is string }}
{% from "lib.html" import shared %}{{ shared(text) }}{{ shared(text, "<b>") }} {{ text.upper() }} {{ safe.striptags() }}
"""


def test_macros_are_called_as_jinja_calls_them(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text(MACRO_SOURCE)
    lib = '{% macro shared(a, b="-") %}({{ a }}{{ b }}){% endmacro %}'
    (tmp_path / "templates" / "lib.html").write_text(lib)
    ours = environment([tmp_path], Urls(), Markdown(lambda ref: None)).get_template("t.html").render(**VALUES)
    reference = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        loader=jinja2.DictLoader({"lib.html": lib}),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    assert ours == reference.from_string(MACRO_SOURCE).render(**VALUES)
    assert "<h4>p-&lt;script&gt;" in ours and "[&lt;script&gt;" in ours
    wrong = [
        "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}",
        "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, b=2) }}",
        "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(b=2) }}",
        "{% macro m(a) %}{{ a }}{% endmacro %}{{ m() }}",
    ]
    for source in wrong:
        (tmp_path / "templates" / "u.html").write_text(source)
        env = environment([tmp_path], Urls(), Markdown(lambda ref: None))
        outcomes = []
        for template in (env.get_template("u.html"), reference.from_string(source)):
            try:
                outcomes.append(("ok", template.render()))
            except (TypeError, jinja2.UndefinedError) as exc:
                outcomes.append((type(exc).__name__, str(exc)))
        assert outcomes[0] == outcomes[1], source
