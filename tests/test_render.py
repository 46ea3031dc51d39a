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
