"""The Jinja environment: the theme's search path, filters, StrictUndefined."""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.compiler
import markupsafe
from jinja2 import nodes
from jinja2.idtracking import VAR_LOAD_RESOLVE
from jinja2.runtime import missing
from jinja2.utils import internalcode
from markupsafe import Markup

from . import i18n, present, record
from .markdown import Markdown
from .urls import Urls, webcal

PACKAGE_THEMES = Path(__file__).resolve().parent / "themes"


def builtin_theme() -> Path:
    """The default theme: beside the package in a checkout, inside it when installed."""
    for candidate in (Path(__file__).resolve().parent.parent / "themes" / "default", PACKAGE_THEMES / "default"):
        if (candidate / "templates").is_dir():
            return candidate
    raise FileNotFoundError("the default theme is missing from the sitegen installation")


def theme_folders(content: Path, name: str) -> list[Path]:
    """The theme search path: the named theme (beside the content folder), then the default."""
    folders = []
    if name != "default":
        for root in (content.parent / "themes", content / "themes"):
            if (root / name).is_dir():
                folders.append(root / name)
                break
    local_default = content.parent / "themes" / "default"
    if (local_default / "templates").is_dir():
        folders.append(local_default)
    default = builtin_theme()
    if default not in folders:
        folders.append(default)
    return folders


try:  # markupsafe's own escaping, without wrapping its result in Markup
    from markupsafe import _escape_inner
except ImportError:  # pragma: no cover - markupsafe's internals moved

    def _escape_inner(text: str) -> str:
        return str(markupsafe.escape(text))


def escape_output(value: object) -> str:
    """What ``{{ value }}`` writes: markupsafe's escape of VALUE, as a plain string.

    Jinja wraps every escaped output in Markup, only to join it into the page as a
    string; making those Markup objects was about a tenth of a page's rendering."""
    if type(value) is str:
        return _escape_inner(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        safe = html()
        return safe if isinstance(safe, str) else str(safe)
    return _escape_inner(str(value))


class CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's compiler, with its three commonest steps made cheaper: ``a.b`` and the
    escaping of a ``{{ }}`` output are done without a call of a Python function (each
    was a few tenths of a microsecond, and a meeting's page makes hundreds), and a macro
    is called without Jinja's general checks for callables (see ``call``).

    ``a.b`` is ``getattr(a, "b")`` as before; only when A has no attribute B does it go
    to ``environment.getattr`` (an item of a mapping, or undefined), with A as it was
    worked out (so a property that raises AttributeError runs twice: the lookup is tried
    again there). An output is escaped as ``escape_output`` escapes it: a plain string
    by markupsafe at once, Markup written as it is, anything else by ``escape_output``.
    Sandboxed and async environments are compiled as Jinja compiles them."""

    @staticmethod
    def _escapes_inline(frame: jinja2.compiler.Frame, finalize: Any) -> bool:
        return not frame.eval_ctx.volatile and frame.eval_ctx.autoescape and finalize.src is None

    @jinja2.compiler.optimizeconst
    def visit_Call(self, node: nodes.Call, frame: jinja2.compiler.Frame, forward_caller: bool = False) -> None:
        if self.environment.is_async or self.environment.sandboxed or forward_caller:
            return super().visit_Call.__wrapped__(self, node, frame, forward_caller)  # type: ignore[attr-defined]
        message = self._constant_message(node, frame)
        if message is not None and not node.kwargs:  # a message of sitegen's catalogues: its translation, looked up
            self.write(f"_sg_words[{message!r}]")
            return
        if message is not None:  # and its variables: escaped and put in, as Formats says (see translators)
            self.write("(_sg_markup_new(str.__mod__(_sg_m[0], {")
            for keyword in node.kwargs:
                self.write(f"{keyword.key!r}: escape(")
                self.visit(keyword.value, frame)
                self.write("), ")
            self.write(f"}})) if (_sg_m := _sg_formats[{message!r}])[1] else _sg_m[0] % {{")
            for keyword in node.kwargs:
                self.write(f"{keyword.key!r}: ")
                self.visit(keyword.value, frame)
                self.write(", ")
            self.write("})")
            return
        self.write("_sg_call(context, ")
        self.visit(node.node, frame)
        extra = {}
        if frame.loop_frame:
            extra["_loop_vars"] = "_loop_vars"
        if frame.block_frame:
            extra["_block_vars"] = "_block_vars"
        self.signature(node, frame, extra or None)
        self.write(")")

    @jinja2.compiler.optimizeconst
    def visit_Getattr(self, node: nodes.Getattr, frame: jinja2.compiler.Frame) -> None:
        if self.environment.is_async or self.environment.sandboxed:
            return super().visit_Getattr.__wrapped__(self, node, frame)  # type: ignore[attr-defined]
        # each name is read at once after it is set, and sets nest (A's own are done before)
        self.write("(_sg_v if (_sg_v := getattr((_sg_o := ")
        self.visit(node.node, frame)
        self.write(f"), {node.attr!r}, missing)) is not missing else environment.getattr(_sg_o, {node.attr!r}))")

    @staticmethod
    def _constant_message(node: nodes.Call, frame: jinja2.compiler.Frame) -> object:
        """The message of ``_("...")``, ``gettext("...")`` or ``pgettext("...", "...")`` with
        constant arguments (and named variables, or none), calling the environment's own
        function: its key in TRANSLATED and FORMATS; else None."""
        key = message_key(node)
        name = node.node.name if key is not None else ""  # type: ignore[attr-defined]
        if key is None or frame.symbols.find_load(frame.symbols.ref(name)) != (VAR_LOAD_RESOLVE, name):
            return None  # (or a name the template sets itself)
        return key

    def _output_child_pre(self, node: nodes.Expr, frame: jinja2.compiler.Frame, finalize: Any) -> None:
        if not self._escapes_inline(frame, finalize):
            return super()._output_child_pre(node, frame, finalize)
        self.write("(_sg_escape(_sg_out) if type(_sg_out := ")

    def _output_child_post(self, node: nodes.Expr, frame: jinja2.compiler.Frame, finalize: Any) -> None:
        if not self._escapes_inline(frame, finalize):
            return super()._output_child_post(node, frame, finalize)
        # Markup (a macro's or a Markdown text's HTML) is written as it is, as escape_output writes it
        self.write(") is str else _sg_out if type(_sg_out) is _sg_markup else escape(_sg_out))")


_CONTEXT_ONLY = ("_loop_vars", "_block_vars")  # what compiled code passes for Context.call alone


class Direct:
    """A template function that needs nothing of the template's context (see call)."""

    __slots__ = ("function",)

    def __init__(self, function: Any) -> None:
        self.function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)


@internalcode
def call(__context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
    """What ``{{ f(...) }}`` calls: ``context.call``, and for a macro called with its own
    arguments (no ``caller``, no ``varargs`` or ``kwargs``) the macro's function at once,
    as ``Macro.__call__`` would call it; sitegen's translators (Direct) at once too.
    Anything else, errors included, is Jinja's."""
    if __obj.__class__ is Direct:
        if kwargs:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
        return __obj.function(*args, **kwargs)
    if (
        __obj.__class__ is not jinja2.runtime.Macro
        or __obj.caller
        or __obj.explicit_caller
        or __obj.catch_kwargs
        or __obj.catch_varargs
        or len(args) > len(__obj.arguments)
    ):
        return __context.call(__obj, *args, **kwargs)
    names = __obj.arguments
    given = len(args)
    arguments: Any = args
    used = 0
    if given < len(names):
        rest = []
        for name in names[given:]:
            value = kwargs.get(name, missing)
            if value is not missing:
                used += 1
            rest.append(value)
        arguments = (*args, *rest)
    if len(kwargs) != used + sum(1 for key in _CONTEXT_ONLY if key in kwargs):
        return __context.call(__obj, *args, **kwargs)  # an unknown keyword: Jinja's error
    try:
        html = __obj._func(*arguments)
    except StopIteration:
        return __context.environment.undefined(
            "value was undefined because a callable raised a StopIteration exception"
        )
    return str.__new__(markupsafe.Markup, html) if __context.eval_ctx.autoescape else html


def message_key(node: nodes.Call) -> str | tuple[str, str] | None:
    """The message of a call ``_("...")``, ``gettext("...")`` or ``pgettext("...", "...")``
    with constant arguments (and named variables, or none): the message, or (context,
    message); else None."""
    name = node.node.name if isinstance(node.node, nodes.Name) else ""
    if name not in ("_", "gettext", "pgettext") or node.dyn_args or node.dyn_kwargs:
        return None
    args = node.args
    if len(args) != (2 if name == "pgettext" else 1):
        return None
    if not all(isinstance(a, nodes.Const) and isinstance(a.value, str) for a in args):
        return None
    return (args[0].value, args[1].value) if name == "pgettext" else args[0].value


def _fold_messages(tree: nodes.Template, words: i18n.Words) -> None:
    """Replace in TREE each call of the templates' own _, gettext or pgettext with constant
    arguments and nothing else by the translation, marked safe (unless the template sets
    one of those names itself, when nothing is replaced)."""
    names = ("_", "gettext", "pgettext")
    if any(n.name in names for n in tree.find_all(nodes.Name) if n.ctx != "load") or any(
        a.name in names for m in tree.find_all((nodes.Macro, nodes.CallBlock)) for a in m.args
    ):
        return

    def translated(node: nodes.Node) -> nodes.Node | None:
        key = message_key(node) if isinstance(node, nodes.Call) and not node.kwargs else None
        if key is None:
            return None
        text = words.pgettext(*key) if isinstance(key, tuple) else words.gettext(key)
        return nodes.MarkSafe(nodes.Const(str(Markup(text) % {})), lineno=node.lineno)

    def walk(node: nodes.Node) -> None:
        for field in node.fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for i, child in enumerate(value):
                    if isinstance(child, nodes.Node):
                        new = translated(child)
                        if new is not None:
                            value[i] = new
                        else:
                            walk(child)
            elif isinstance(value, nodes.Node):
                new = translated(value)
                if new is not None:
                    setattr(node, field, new)
                else:
                    walk(value)

    walk(tree)


class Messages(dict):
    """Messages (or (context, message)) translated into the words in use, as Markup;
    emptied when other words come into use (i18n.ON_CHANGE)."""

    def __missing__(self, key: str | tuple[str, str]) -> Markup:
        words = i18n.current()
        html = self[key] = Markup(words.pgettext(*key) if isinstance(key, tuple) else words.gettext(key))
        return html


class Formats(dict):
    """Each message's translation (Markup) and whether its only placeholders are %(name)s."""

    def __missing__(self, key: str | tuple[str, str]) -> tuple[Markup, bool]:
        html = MESSAGES[key]
        found = self[key] = (html, _ONLY_S.search(html) is None)
        return found


def _new_markup(text: str) -> Markup:
    return str.__new__(Markup, text)  # (text already escaped: Markup() would ask it for __html__ first)


class Translated(dict):
    """The templates' constant messages (``_("Search")``) as Jinja's newstyle gettext gives
    them (formatted with no variables). A page says forty or so: each is one dictionary
    lookup, not three calls through the template's context."""

    def __missing__(self, key: str | tuple[str, str]) -> Markup:
        html = self[key] = MESSAGES[key] % {}
        return html


MESSAGES = Messages()
FORMATS = Formats()
TRANSLATED = Translated()
i18n.ON_CHANGE += [MESSAGES.clear, FORMATS.clear, TRANSLATED.clear]


class Template(jinja2.Template):
    """A template compiled by CodeGenerator: its ``{{ }}`` outputs are escaped as
    ``escape_output`` escapes them, and macros called by ``call``."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):  # type: ignore[no-untyped-def]
        template = super().from_code(environment, code, globals, uptodate)
        # the compiled module's names for escaping outputs and calling (see CodeGenerator)
        namespace = template.root_render_func.__globals__
        namespace["escape"] = escape_output
        namespace["_sg_escape"] = _escape_inner
        namespace["_sg_call"] = call
        namespace["_sg_markup"] = markupsafe.Markup
        namespace["_sg_words"] = TRANSLATED
        namespace["_sg_formats"] = FORMATS
        namespace["_sg_markup_new"] = _new_markup
        return template


class Environment(jinja2.Environment):
    """Templates share the environment's globals (a dict) instead of each having a
    ChainMap over them: Jinja reads a template's globals on every render, include and
    import, and a ChainMap makes that several times slower. sitegen gives templates no
    globals of their own, so the overlay was always empty."""

    template_class = Template
    code_generator_class = CodeGenerator

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loaded: dict[str, jinja2.Template] = {}
        self.words: i18n.Words | None = None  # the language its templates are compiled in (see _parse)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The template's tree, with each constant message (``_("Search")``, a trans block
        without variables) put in as its translation into the environment's words, as
        Jinja's newstyle gettext would give it: the compiler joins it to the text around it.
        An environment in this language renders only pages in it (Builder.render)."""
        tree = super()._parse(source, name, filename)
        if self.words is not None and not stock_jinja():
            _fold_messages(tree, self.words)
        return tree

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        """Jinja's get_template, remembered in a plain dict: a build asks for the same few
        templates (each page's, and what it extends, includes and imports) hundreds of
        thousands of times, and they are never reloaded (auto_reload is off)."""
        if name.__class__ is not str:
            return super().get_template(name, parent, globals)
        if parent is not None:
            name = self.join_path(name, parent)
        if record._extra is not None:  # a page is being recorded: it depends on this template
            record._extra.add((record.TEMPLATE, name))
        if globals is not None:
            return super().get_template(name, None, globals)
        template = self.loaded.get(name)
        if template is None:
            template = self.loaded[name] = super().get_template(name)
        return template

    def forget_modules(self) -> None:
        """Let each template's module (what ``{% import %}`` gives: its macros, with the
        filters and globals of when it was made) be made again, with this environment's
        filters and globals as they are now (see incremental: a preview keeps its compiled
        templates, given the new build's filters)."""
        for template in [*self.loaded.values(), *(self.cache.values() if self.cache is not None else ())]:
            template._module = None

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        if not d:
            return self.globals
        return super().make_globals(d)


def translators() -> dict[str, Any]:
    """The templates' _, gettext, ngettext and pgettext, as Jinja's i18n extension makes
    them with newstyle=True (the translation marked safe, then formatted with its variables,
    which are escaped), without its three calls through the template's context per message.
    SITEGEN_STOCK_JINJA=1 uses Jinja's own (a test compares the two sites' bytes)."""

    def format(message: tuple[Markup, bool], variables: dict[str, Any]) -> Markup:
        html, simple = message
        if not variables:
            return html % variables if "%" in html else html
        if simple:  # every placeholder %(name)s: each value escaped as Markup's % escapes it
            return _new_markup(str.__mod__(html, {k: escape_output(v) for k, v in variables.items()}))
        return html % variables

    def gettext(message: str, /, **variables: Any) -> Markup:
        return format(FORMATS[message], variables)

    def pgettext(context: str, message: str, /, **variables: Any) -> Markup:
        return format(FORMATS[(context, message)], variables)

    def ngettext(singular: str, plural: str, n: int, /, **variables: Any) -> Markup:
        variables.setdefault("num", n)
        return Markup(i18n.current().ngettext(singular, plural, n)) % variables

    return {
        "_": Direct(gettext),
        "gettext": Direct(gettext),
        "pgettext": Direct(pgettext),
        "ngettext": Direct(ngettext),
    }


_ONLY_S = re.compile(r"%(?!\(\w+\)s|%)")  # a conversion other than %(name)s (or %%)


def stock_jinja() -> bool:
    """SITEGEN_STOCK_JINJA=1: compile templates with Jinja's own compiler (the switch back
    from CodeGenerator, Template and call above; the output is the same, more slowly)."""
    import os

    return os.environ.get("SITEGEN_STOCK_JINJA", "") not in ("", "0")


def _per_page(function: Any, languages: tuple[str, ...]) -> Any:
    """FUNCTION as a filter that Jinja's compiler never applies ahead of time to a constant
    (``'home'|url``) on a site in several languages, where an address depends on the page's
    language: Jinja folds a filter of constants into the compiled template unless the
    filter asks for the template's context. (In one language, folding is right, and faster.)"""
    if len(languages) < 2:
        return function

    @jinja2.pass_context
    def filter(_context: Any, *args: Any) -> Any:
        return function(*args)

    return filter


def environment(folders: list[Path], urls: Urls, markdown: Markdown) -> Environment:
    env = Environment(
        loader=jinja2.FileSystemLoader([str(f / "templates") for f in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    # sitegen's words: the catalogues of the build at work (sitegen.i18n), asked at each use
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: i18n.current().gettext(message),
        ngettext=lambda singular, plural, n: i18n.current().ngettext(singular, plural, n),
        pgettext=lambda context, message: i18n.current().pgettext(context, message),
        newstyle=True,
    )
    if not stock_jinja():
        env.globals.update(translators())
    if stock_jinja():
        env.code_generator_class = jinja2.compiler.CodeGenerator
        env.template_class = jinja2.Template
    env.filters.update(
        # (never worked out as the templates compile: an address depends on the page's language)
        url=_per_page(urls, urls.languages),
        file_url=_per_page(urls.file, urls.languages),
        feed_url=_per_page(urls.feed, urls.languages),
        calendar_url=_per_page(urls.calendar, urls.languages),
        register_url=_per_page(urls.register, urls.languages),
        follow_url=_per_page(urls.follow, urls.languages),
        webcal=webcal,
        # a text in the page's language as plain text, for an attribute, <title> or <option>,
        # where a fallback in another language cannot be marked with lang
        plain=lambda value: "" if value is None else str(value),
        md=markdown.render,
        md_inline=markdown.inline,
        long_date=i18n.long_date,
        on_date=i18n.on_date,
        short_date=i18n.short_date,
        number=i18n.number,
        clock=present.clock,
        status_words=present.status_words,
        status_class=present.status_class,
        step_words=present.step_words,
        made_by=present.made_by,
        file_size=present.file_size,
        time_range=present.time_range,
        call_in_words=present.call_in_words,
        call_in_tone=present.call_in_tone,
        expected_words=present.expected_words,
        month_year=i18n.month_year,
        host=present.host,
        money=jinja2.pass_context(lambda context, amount: present.money(amount, context["site"].currency)),
        word_diff=present.word_diff,
        adopted=present.adopted,
    )
    env.globals.update(
        OUTCOME_WORDS=present.OUTCOME_WORDS,
        STATUS_WORDS=present.STATUS_WORDS,
        RECORD_WORDS=present.RECORD_WORDS,
        RECORD_NOTES=present.RECORD_NOTES,
        KIND_WORDS=present.KIND_WORDS,
        RESULT_WORDS=present.RESULT_WORDS,
        STATE_WORDS=present.STATE_WORDS,
        ROLE_WORDS=present.ROLE_WORDS,
        VOTE_WORDS=present.VOTE_WORDS,
        PLAN_STATE_WORDS=present.PLAN_STATE_WORDS,
        MONEY_WORDS=present.MONEY_WORDS,
    )
    return env
