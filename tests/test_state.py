"""The build state on disk: a build that starts from it renders only what changed, and
writes byte for byte what a clean build writes."""

from __future__ import annotations

import os
import pickle
import random
import shutil
import sys
import time
from pathlib import Path

import pytest
from conftest import copy_example
from test_cli import snapshot
from test_incremental import CABINET, EDITS, _toggle, _unusual_theme

from sitegen import state
from sitegen.build import build

TODAY = "2026-12-06"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("SITEGEN_TODAY", TODAY)


def kept_build(content: Path, out: Path):  # type: ignore[no-untyped-def]
    return build(content, out, base_path="/", search=False, state_folder=state.cache_folder(content))


def same_as_clean(content: Path, out: Path, tmp: Path, n: int) -> None:
    clean = tmp / f"clean-{n}"
    build(content, clean, base_path="/", search=False)
    assert snapshot(out) == snapshot(clean), f"after edit {n}"


def test_a_second_build_renders_nothing_and_an_edit_only_what_it_reaches(tmp_path):
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    first = kept_build(content, out)
    assert first.rendered == first.pages
    assert (tmp_path / ".sitegen-cache").is_dir()  # beside the content, never in the output
    assert not any(".sitegen-cache" in str(p) for p in out.rglob("*"))
    again = kept_build(content, out)
    assert again.rendered == 0 and again.pages == first.pages
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    edited = kept_build(content, out)
    assert 0 < edited.rendered < 5, edited.rendered
    same_as_clean(content, out, tmp_path, 1)


@pytest.mark.parametrize("seed, forked", [(3, False), (4, False), (5, True)])
def test_random_edits_between_builds_match_clean_builds(tmp_path, monkeypatch, seed, forked):
    """FORKED: the reads are compared by a forked process while the build plans."""
    import sitegen.build
    from sitegen.record import Reads

    content = copy_example(tmp_path)
    _unusual_theme(content)
    out = tmp_path / "out"
    compare = Reads.compare
    compared = tmp_path / "compared"  # (a forked process's too)

    def checked(self, keys, once=False, settled=None):  # type: ignore[no-untyped-def]
        plainly = self.changed_plainly(keys)
        found = compare(self, keys, once, settled=settled)
        # the shortcuts find what normalizing every value finds (the fields read from the
        # files of meetings whose files are as they were among them)
        assert found == plainly
        assert self.changed_plainly(keys) == set()  # and keep the new values as normalize gives them
        with open(compared, "a") as log:
            log.write(f"{os.getpid()} {once} {len(settled or ())}\n")
        return found

    monkeypatch.setattr(Reads, "compare", checked)
    if forked:
        monkeypatch.setattr(sitegen.build, "PARALLEL_FROM", 2)
        monkeypatch.setattr(sitegen.build, "spare_core", lambda *_: True)
    kept_build(content, out)
    rng = random.Random(seed)
    for n in range(1, 9):
        rng.choice(EDITS)(content)
        kept_build(content, out)
        same_as_clean(content, out, tmp_path, n)
    assert kept_build(content, out).rendered == 0  # (the values found changed were kept)
    lines = [line.split() for line in compared.read_text().splitlines()]
    assert len(lines) == 9 and all(once == "True" for _, once, _ in lines)
    assert all(int(settled) for _, _, settled in lines)  # (the meetings whose files are as they were)
    assert all((int(pid) != os.getpid()) == forked for pid, _, _ in lines)


def test_a_vote_follows_an_alias_moved_in_people_yaml(tmp_path):
    """A vote names people by id or alias: moving an alias to another councillor changes
    who voted, though the meeting's file is as it was."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    people = content / "people.yaml"
    text = people.read_text()
    people.write_text(
        text.replace("  name: Councillor Catherine Dunn\n", "  name: Councillor Catherine Dunn\n  aliases: [cw]\n")
    )
    _toggle(content, "meetings/2011/2011-12-07-council.md", "cllr-c-dunn, cllr-t-walsh", "cw, cllr-t-walsh")
    kept_build(content, out)
    people.write_text(
        text.replace("  name: Councillor Edward Clarke\n", "  name: Councillor Edward Clarke\n  aliases: [cw]\n")
    )
    assert kept_build(content, out).rendered
    same_as_clean(content, out, tmp_path, 1)


def test_a_meeting_file_read_again_is_compared_whole(tmp_path):
    """An edit that keeps a file's time and size goes unseen (files are known by them)
    until the file is read again (here, as anything under content/files changed): then
    what the meeting has from its file is compared too, and its pages are a clean
    build's, though the state kept the file's time and size as they are."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    kept_build(content, out)
    path = content / CABINET
    before = path.stat()
    path.write_text(path.read_text().replace("The Leader invited", "The Leader Invited", 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    kept_build(content, out)  # (unseen)
    document = sorted((content / "files").rglob("*.pdf"))[0]
    document.write_bytes(document.read_bytes() + b"\n")
    assert kept_build(content, out).rendered
    same_as_clean(content, out, tmp_path, 1)
    assert any("The Leader Invited" in page.read_text() for page in out.rglob("index.html"))


def _as_read(reads):  # type: ignore[no-untyped-def]
    """READS (record.Reads) as plain data to compare: each page's reads as a set."""
    return (
        reads.values,
        reads.by_object,
        {rel: frozenset(numbers) for rel, numbers in reads.by_page.items()},
        reads.templates,
        {rel: now for rel, (_, now) in reads.signatures.items()},
        reads.globals,
    )


def test_a_bilingual_site_built_again_renders_nothing(tmp_path):
    """What every page reads besides the model is the same whichever language the build
    spoke last (the Welsh example's second build once rendered every page again)."""
    from conftest import ROOT

    content = tmp_path / "content"
    shutil.copytree(ROOT / "examples/cyngor-cymuned/content", content)
    out = tmp_path / "out"
    first = kept_build(content, out)
    assert first.rendered == first.pages > 50
    assert kept_build(content, out).rendered == 0
    assert kept_build(content, out).rendered == 0


def test_an_edit_keeps_only_what_changed_and_the_state_reads_back_whole(tmp_path, monkeypatch):
    """After an edit the state file stays as it was and a delta beside it holds what changed;
    read back together they are the state the build had, and the next build is a clean
    build's. Once the delta would hold more than a share of the state, the whole is kept."""
    content = copy_example(tmp_path)
    _unusual_theme(content)
    out = tmp_path / "out"
    kept_build(content, out)
    monkeypatch.setattr(state, "DELTA_SHARE", 0)  # (however much an edit changes: a delta)
    (whole,) = (tmp_path / ".sitegen-cache").glob("state-*.pickle")
    cache = state.Cache(whole.parent, whole.name[6:-7])
    written = whole.read_bytes()
    rng = random.Random(7)
    for n in range(1, 7):
        rng.choice(EDITS)(content)
        report = kept_build(content, out)
        assert whole.read_bytes() == written and cache.delta.exists(), n  # (only the delta)
        again = cache.load()
        assert again is not None and _as_read(again.reads) == _as_read(report.state), n
        assert set(state.verified(cache, again.files)) == set(again.files)  # (the cached pages as they are)
        same_as_clean(content, out, tmp_path, n)
    monkeypatch.setattr(state, "DELTA_SHARE", 10**9)  # (any delta is too large)
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    report = kept_build(content, out)
    assert whole.read_bytes() != written and not cache.delta.exists()
    again = cache.load()
    assert again is not None and _as_read(again.reads) == _as_read(report.state)
    same_as_clean(content, out, tmp_path, 7)


def test_a_delta_of_another_state_file_is_not_read(tmp_path, monkeypatch):
    """A delta is read only with the state file it was written against: one left from
    before (a build killed as it kept the whole state, say) is not, and the pages the
    state file does not know as they are are rendered again."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    kept_build(content, out)
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    kept_build(content, out)
    (delta,) = (tmp_path / ".sitegen-cache").glob("state-*.delta")
    old = delta.read_bytes()
    monkeypatch.setattr(state, "DELTA_SHARE", 10**9)
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")  # (back: the delta is out of date)
    whole = kept_build(content, out).state
    monkeypatch.undo()
    monkeypatch.setenv("SITEGEN_TODAY", TODAY)
    assert not delta.exists()
    delta.write_bytes(old)
    cache = state.Cache(delta.parent, delta.name[6:-6])
    assert _as_read(cache.load().reads) == _as_read(whole)  # (the state file alone)
    _toggle(content, CABINET, "Council Chamber", "The Blue Room")
    assert kept_build(content, out).rendered
    same_as_clean(content, out, tmp_path, 1)


def test_a_state_of_another_version_or_unreadable_is_a_clean_build(tmp_path, monkeypatch):
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    pages = kept_build(content, out).pages
    monkeypatch.setattr(state, "_VERSION", state.version() + "+another")
    assert kept_build(content, out).rendered == pages  # written by another version: not read
    assert kept_build(content, out).rendered == 0
    for kept in (tmp_path / ".sitegen-cache").glob("state-*.pickle"):
        kept.write_bytes(kept.read_bytes()[:100])  # cut short
    assert kept_build(content, out).rendered == pages
    same_as_clean(content, out, tmp_path, 1)


def built_with_state(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The example built with its state: (content, output, the cached copy of /meetings/)."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    kept_build(content, out)
    return content, out, next((tmp_path / ".sitegen-cache").glob("site-*")) / "meetings" / "index.html"


def test_a_cached_page_changed_by_hand_is_rendered_again(tmp_path):
    content, out, cached = built_with_state(tmp_path)
    cached.unlink()
    cached.write_text("<p>not what sitegen wrote</p>")
    report = kept_build(content, out)
    assert report.rendered == 1
    same_as_clean(content, out, tmp_path, 1)


def test_the_state_holds_no_model_objects(tmp_path):
    """Only reads, their values by key and digests: never the content's objects."""
    content = copy_example(tmp_path)
    kept_build(content, tmp_path / "out")
    allowed = {"sitegen.state", "sitegen.record", "sitegen.errors", "builtins", "datetime", "markupsafe", "array"}

    class Strict(pickle.Unpickler):
        def find_class(self, module: str, name: str):  # type: ignore[no-untyped-def]
            assert module in allowed, (module, name)
            assert (module, name) not in {("sitegen.record", "Keys")}, name
            return super().find_class(module, name)

    (kept,) = (tmp_path / ".sitegen-cache").glob("state-*.pickle")
    with open(kept, "rb") as handle:
        _, _, files, ident, published = Strict(handle).load()  # the pages cached, then the rest
        reads, templates, sources, parts, inputs = Strict(handle).load()
        assert handle.read() == b""
    assert reads.by_page and files and templates and published[0] == state.mark(tmp_path / "out")
    assert inputs is None or isinstance(inputs, str)  # (a digest of what was read: see state.inputs_digest)
    assert isinstance(parts, str) and parts  # (the open data's parts kept beside it: see state.Parts)
    read = [p for folder in ("meetings", "decisions") for p in (content / folder).rglob("*.*")]
    assert sorted(sources) == sorted(p.relative_to(content).as_posix() for p in read)  # each file's key as read
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    kept_build(content, tmp_path / "out")
    with open(kept.with_suffix(".delta"), "rb") as handle:  # and what changed since
        _, _, against, pages, _ = Strict(handle).load()
        changes = Strict(handle).load()
        assert handle.read() == b""
    assert against == ident and pages and changes["values"] and changes["sources"]


def test_the_output_cannot_be_the_state_folder(cli, tmp_path):
    content = copy_example(tmp_path)
    result = cli("build", "--content", content, "--output", tmp_path / ".sitegen-cache", "--no-search")
    assert result.code == 1 and "build state" in result.err
    assert not (tmp_path / ".sitegen-cache").exists()


def test_the_command_line_keeps_the_state_unless_told_not_to(cli, tmp_path):
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    first = cli("build", "--content", content, "--output", out, "--no-search")
    assert first.code == 0 and "unchanged" not in first.out, first.err
    pages = int(first.out.split("built ", 1)[1].split(" pages", 1)[0])
    second = cli("build", "--content", content, "--output", out, "--no-search")
    assert second.code == 0 and f"({pages} unchanged since the last build)" in second.out, second.out
    third = cli("build", "--content", content, "--output", out, "--no-search", "--no-cache")
    assert third.code == 0 and "unchanged" not in third.out, third.err


def test_the_next_day_renders_again_only_the_pages_that_depend_on_the_day(tmp_path, monkeypatch):
    """A page whose statuses depend on the day says which day in its footer, and is
    rendered again the next day; any other page stays as it was, as a clean build
    of the next day would write it too."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    monkeypatch.setenv("SITEGEN_TODAY", "2027-01-20")
    pages = kept_build(content, out).pages
    assert kept_build(content, out).rendered == 0
    # (no status that depends on the day: an item's page, a past meeting's, which is not to come)
    olds = [out / "meetings/2011-10-19-planning/orchard-farm-milbury/index.html"]
    olds.append(out / "meetings/2011-10-19-planning/index.html")
    assert not any("Last updated" in old.read_text() for old in olds)
    before = [old.stat().st_ino for old in olds]
    coming = out / "meetings/2027-01-20-cabinet/index.html"
    assert "Add this meeting to your calendar" in coming.read_text()
    assert "Last updated on Wednesday 20 January 2027." in coming.read_text()  # (it is to come)
    monkeypatch.setenv("SITEGEN_TODAY", "2027-01-21")  # the scheduled Cabinet of 20 January is now past
    report = kept_build(content, out)
    assert 0 < report.rendered < pages
    assert [old.stat().st_ino for old in olds] == before  # (the very files: not written again)
    for rel in ("index.html", "meetings/index.html"):  # (the recommendations awaiting; the meetings to come)
        assert "Last updated on Thursday 21 January 2027." in (out / rel).read_text(), rel
    assert "the meeting's date has passed" in (out / "meetings/2027-01-20-cabinet/index.html").read_text()
    same_as_clean(content, out, tmp_path, 1)


def test_a_state_folder_that_is_a_link_is_neither_read_nor_written(tmp_path, capsys):
    content = copy_example(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / ".sitegen-cache").symlink_to(elsewhere)
    out = tmp_path / "out"
    report = build(content, out, base_path="/", search=False, state_folder=state.cache_folder(content), log=print)
    assert report.rendered == report.pages
    assert list(elsewhere.iterdir()) == []  # nothing written through the link
    assert "the build state was not kept" in capsys.readouterr().out
    same_as_clean(content, out, tmp_path, 1)


def test_a_link_put_in_the_cache_is_not_published(tmp_path):
    content, out, cached = built_with_state(tmp_path)
    st = cached.stat()
    cached.unlink()
    secret = tmp_path / "secret.txt"
    secret.write_text("x" * st.st_size)
    cached.symlink_to(secret)
    kept_build(content, out)
    assert not (out / "meetings" / "index.html").is_symlink()
    same_as_clean(content, out, tmp_path, 1)


def test_a_change_to_sitegens_own_code_gives_a_clean_build(tmp_path):
    import shutil

    package = Path(state.__file__).resolve().parent
    copy = tmp_path / "sitegen"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert state.code_digest(copy) == state.code_digest(package)
    words = copy / "i18n.py"
    words.write_text(words.read_text().replace("def long_date", "def long_date  ", 1))
    assert state.code_digest(copy) != state.code_digest(package)  # and so the state's version differs


def test_a_state_file_put_there_by_someone_else_runs_nothing(tmp_path):
    content, out, _ = built_with_state(tmp_path)
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            import os

            return (os.system, (f"touch {marker}",))

    (kept,) = (tmp_path / ".sitegen-cache").glob("state-*.pickle")
    kept.write_bytes(pickle.dumps(Payload()))
    report = kept_build(content, out)
    assert not marker.exists()
    assert report.rendered == report.pages  # not read: a clean build
    same_as_clean(content, out, tmp_path, 1)


def test_a_link_among_the_cache_folders_is_never_followed(tmp_path):
    content, out, cached = built_with_state(tmp_path)
    victim = tmp_path / "victim"
    shutil_copy = __import__("shutil").copytree
    shutil_copy(cached.parent, victim)
    before = snapshot(victim)
    folder = cached.parent  # site-KEY/meetings, made a link to someone else's folder
    __import__("shutil").rmtree(folder)
    folder.symlink_to(victim, target_is_directory=True)
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    kept_build(content, out)
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    (content / "meetings/2012/2012-06-13-planning.md").unlink()  # pages gone: nothing removed through the link
    kept_build(content, out)
    assert snapshot(victim) == before
    same_as_clean(content, out, tmp_path, 1)


def test_the_state_keeps_no_text_of_an_exempt_item(tmp_path):
    """Long texts are kept by their digests: the cache never holds an item's minutes, and
    once the item is exempt, no copy of its page either."""
    content, out, _ = built_with_state(tmp_path)
    rel = "meetings/2012/2012-06-13-planning.md"
    phrase = b"internally illuminated sign would harm"
    text = (content / rel).read_text()
    assert phrase.decode() in text.replace("\n      ", " ")
    (content / rel).write_text(
        text.replace("  - id: castle-street-advert\n", '  - id: castle-street-advert\n    exempt: "Paragraph 3"\n', 1)
    )
    kept_build(content, out)
    parsed = next((tmp_path / ".sitegen-cache").glob("parsed-*"))
    for path in [*(tmp_path / ".sitegen-cache").rglob("*"), *out.rglob("*")]:
        if path.is_file() and parsed not in path.parents:
            assert phrase not in path.read_bytes().replace(b"\n      ", b" "), path
    same_as_clean(content, out, tmp_path, 1)
    # the meeting files as read are kept too, and hold what the content holds, no more:
    # once the text is out of the file, it is out of the cache
    assert any(phrase in p.read_bytes().replace(b"\n      ", b" ") for p in parsed.iterdir())
    (content / rel).write_text((content / rel).read_text().replace("illuminated", "lit"))
    kept_build(content, out)
    for path in (tmp_path / ".sitegen-cache").rglob("*"):
        if path.is_file():
            assert phrase not in path.read_bytes().replace(b"\n      ", b" "), path
    same_as_clean(content, out, tmp_path, 2)


def test_only_the_states_of_the_settings_used_last_are_kept(tmp_path):
    """A state for settings no longer used (another base path, say) is removed once KEEP
    newer ones exist; nothing in the folder that sitegen did not name is touched."""
    content = copy_example(tmp_path)
    cache = state.cache_folder(content)
    cache.mkdir()
    (cache / "notes.txt").write_text("mine")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.html").write_text("keep")
    (cache / "site-0123456789abcdef").symlink_to(elsewhere)  # a link with sitegen's kind of name
    keys = []
    for n, base in enumerate(["/a/", "/b/", "/c/", "/d/"]):
        build(content, tmp_path / f"out-{n}", base_path=base, search=False, state_folder=cache)
        keys.append(next(p.stem[6:] for p in cache.glob("state-*.pickle") if p.stem[6:] not in keys))
    assert state.KEEP == 3
    kept = {p.name for p in cache.iterdir()}
    assert f"state-{keys[0]}.pickle" not in kept and f"site-{keys[0]}" not in kept
    for key in keys[1:]:
        assert {f"state-{key}.pickle", f"site-{key}"} <= kept, key
    assert (cache / "notes.txt").read_text() == "mine"
    assert (elsewhere / "keep.html").read_text() == "keep" and (cache / "site-0123456789abcdef").is_symlink()
    again = build(content, tmp_path / "out-1", base_path="/b/", search=False, state_folder=cache)
    assert again.rendered == 0  # a kept state is still used


def test_a_page_changed_in_place_in_the_output_is_rendered_again(tmp_path):
    """The next site starts from the cached pages, which are the published files: one
    edited in place in the output (the same file) is found changed and rendered again."""
    content, out, _ = built_with_state(tmp_path)
    kept_build(content, out)  # (the second build starts from the cached site)
    page = out / "meetings" / "index.html"
    with open(page, "r+b") as handle:
        handle.write(b"<p>edited by hand</p>")
    report = kept_build(content, out)
    assert report.rendered == 1, report.rendered
    same_as_clean(content, out, tmp_path, 1)


def test_what_is_put_in_the_output_is_neither_kept_nor_followed(tmp_path):
    """The replaced site becomes the next build's cached site: a file or a link put in it
    is not published again, and nothing is removed through a link."""
    content, out, _ = built_with_state(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "index.html").write_text("someone else's")
    (victim / "feed.atom").write_text("someone else's")
    (out / "meetings" / "planted.html").write_text("<p>not sitegen's</p>")
    bodies = out / "bodies"
    __import__("shutil").rmtree(bodies / "cabinet")
    (bodies / "cabinet").symlink_to(victim, target_is_directory=True)
    for n in range(1, 4):
        _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
        kept_build(content, out)
        same_as_clean(content, out, tmp_path, n)
    assert sorted(p.name for p in victim.iterdir()) == ["feed.atom", "index.html"]
    assert (victim / "index.html").read_text() == "someone else's"


def test_only_the_meeting_files_changed_since_are_read_again(tmp_path, monkeypatch):
    from sitegen import validate

    content, out, _ = built_with_state(tmp_path)
    read = []
    reader = validate.read_meeting_file
    monkeypatch.setattr(validate, "read_meeting_file", lambda path, *a: read.append(path.name) or reader(path, *a))
    kept_build(content, out)
    assert read == []
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    kept_build(content, out)
    assert read == [Path(CABINET).name]
    same_as_clean(content, out, tmp_path, 1)


def test_a_fresh_checkout_reads_again_only_the_meeting_files_whose_bytes_changed(tmp_path, monkeypatch):
    """A fresh clone (CI, Netlify) gives every file a new time: the meeting files kept
    with the state are known by their bytes then, and a meeting whose file is as it was
    is neither read nor compared again (see build._settled)."""
    import sitegen.build
    from sitegen import validate

    content, out, _ = built_with_state(tmp_path)
    later = time.time() + 60
    for path in content.rglob("*"):
        os.utime(path, (later, later))
    read, settled = [], []
    reader, settle = validate.read_meeting_file, sitegen.build._settled
    monkeypatch.setattr(validate, "read_meeting_file", lambda path, *a: read.append(path.name) or reader(path, *a))
    monkeypatch.setattr(sitegen.build, "_settled", lambda *a: settled.append(found := settle(*a)) or found)
    report = kept_build(content, out)
    assert read == [] and report.rendered == 0
    meetings = [*(content / "meetings").rglob("*.md"), *(content / "meetings").rglob("*.yaml")]
    assert {f"m:{path.stem}" for path in meetings} <= settled[0]  # (every meeting)
    _toggle(content, CABINET, "The Leader invited", "The Leader swiftly invited")  # (a new size)
    kept_build(content, out)
    assert read == [Path(CABINET).name]
    same_as_clean(content, out, tmp_path, 1)
    # the same bytes under the same name: a file that changed and changed back is as it was
    _toggle(content, CABINET, "The Leader swiftly invited", "The Leader invited")
    _toggle(content, CABINET, "The Leader invited", "The Leader swiftly invited")
    read.clear()
    assert kept_build(content, out).rendered == 0 and read == []


def _aged(content: Path, when: float) -> None:
    """Every file and folder of CONTENT last changed at WHEN (seconds since the epoch)."""
    for path in [content, *content.rglob("*")]:
        os.utime(path, (when, when))


def test_a_build_with_no_file_changed_nor_the_day_compares_nothing(tmp_path, monkeypatch):
    """When no file the build reads changed since the state was kept (each file's time
    and size, as the preview watches them), nor the day, no read can have changed:
    nothing is compared, and the preview starts on the state's site at once. Any file
    changed, whatever its time, or another day, is compared as ever."""
    from sitegen.record import Reads

    content = copy_example(tmp_path)
    out = tmp_path / "out"
    hour_ago = time.time() - 3600
    _aged(content, hour_ago)
    kept_build(content, out)
    compared: list[str] = []
    for name in ("compare", "due"):
        original = getattr(Reads, name)
        monkeypatch.setattr(Reads, name, lambda *a, _f=original, _n=name, **k: compared.append(_n) or _f(*a, **k))
    said: list[str] = []

    def again() -> int:
        said.clear()
        report = build(content, out, said.append, "/", search=False, state_folder=state.cache_folder(content))
        return report.rendered

    assert again() == 0 and compared == []
    assert any("unchanged since the last build (no file changed since)" in line for line in said), said
    preview = _preview(content, log=said.append, search=False)
    said.clear()
    assert preview.build().ok and compared == []  # (the same settings as the builds': their state)
    assert any("(no file changed since)" in line for line in said), said
    assert snapshot(state.preview_folder(content)) == snapshot(out)
    # a file changed, of the same size, and dated as the others: compared
    _toggle(content, CABINET, "The Leader invited", "The Leader INVITED")
    os.utime(content / CABINET, (hour_ago + 60, hour_ago + 60))
    assert again() > 0 and compared
    assert not any("no file changed" in line for line in said), said
    same_as_clean(content, out, tmp_path, 1)
    compared.clear()
    assert again() == 0 and compared == []
    monkeypatch.setenv("SITEGEN_TODAY", "2027-01-21")  # (another day: the Cabinet of 20 January is past)
    assert again() > 0 and compared
    same_as_clean(content, out, tmp_path, 2)


def test_a_page_the_state_does_not_know_is_rendered_and_recorded_though_no_file_changed(tmp_path):
    """With no file changed since the state was kept, nothing is compared; but a page the
    state has no reads of (a state written otherwise, say) is rendered all the same, and
    what it reads recorded, so that the next build knows it."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    _aged(content, time.time() - 3600)
    kept_build(content, out)
    (kept,) = (tmp_path / ".sitegen-cache").glob("state-*.pickle")
    with open(kept, "rb") as handle:
        head = pickle.load(handle)
        reads, *rest = pickle.load(handle)
    rel = "bodies/cabinet/index.html"
    del reads.by_page[rel], reads.signatures[rel]
    with open(kept, "wb") as handle:
        pickle.dump(head, handle)
        pickle.dump((reads, *rest), handle)
    (out / rel).write_text("stale")  # (the cached copy, linked to it, is not as the state left it either)
    report = kept_build(content, out)
    assert report.rendered == 1 and "stale" not in (out / rel).read_text()
    assert kept_build(content, out).rendered == 0
    same_as_clean(content, out, tmp_path, 1)


def test_a_file_changed_just_before_a_build_is_compared_next_time_whatever_its_time(tmp_path):
    """A file changed just before a build (see state.RACY_NS) may change again within one
    tick of its file system's clock: saved again with the same size and time, it is
    still read and compared by the next build, never taken for what was read."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    _aged(content, time.time() - 3600)
    bodies = content / "bodies.yaml"
    text = bodies.read_text()
    bodies.write_text(text.replace("name: Cabinet", "name: CABINET", 1))
    before = bodies.stat()
    kept_build(content, out)
    bodies.write_text(text.replace("name: Cabinet", "name: Kabinet", 1))
    os.utime(bodies, ns=(before.st_atime_ns, before.st_mtime_ns))  # (the time and size it had)
    kept_build(content, out)
    assert "Kabinet" in (out / "bodies/cabinet/index.html").read_text()
    same_as_clean(content, out, tmp_path, 1)
    # no digest was kept then; the next build that finds none changed too near keeps one
    os.utime(bodies, (time.time() - 600, time.time() - 600))
    said: list[str] = []
    for _ in range(2):
        said.clear()
        build(content, out, said.append, "/", search=False, state_folder=state.cache_folder(content))
    assert any("(no file changed since)" in line for line in said), said


def test_a_file_saved_while_it_is_read_and_changed_back_is_read_again(tmp_path, monkeypatch):
    """The digest a meeting file is known by is that of the very bytes read: a file saved
    (the same size) while the build reads it, then changed back (an undo), is read again
    by the next build, never taken for what was read."""
    from sitegen import validate

    content, out, _ = built_with_state(tmp_path)
    path = content / CABINET
    _toggle(content, CABINET, "The Leader invited", "The Leader swiftly invited")
    saved = path.read_text()
    during = saved.replace("The Leader swiftly invited", "The Leader SWIFTLY invited", 1)
    assert len(during) == len(saved) and during != saved
    reader = validate.read_meeting_file

    def saving_meanwhile(file, *args):  # type: ignore[no-untyped-def]
        if file == path:
            path.write_text(during)  # (saved just as the build reads it)
        return reader(file, *args)

    monkeypatch.setattr(validate, "read_meeting_file", saving_meanwhile)
    kept_build(content, out)
    monkeypatch.setattr(validate, "read_meeting_file", reader)
    path.write_text(saved)  # (the save undone: the bytes before it, a new time)
    kept_build(content, out)
    same_as_clean(content, out, tmp_path, 1)


def test_a_document_replaced_under_files_is_read_again_with_its_size(tmp_path):
    """A meeting shows its documents' sizes: a file under content/files that changes
    makes every meeting file be read again, as a clean build would."""
    content, out, _ = built_with_state(tmp_path)
    document = content / "files/2012/council-tax-reduction-scheme-report.pdf"
    document.write_bytes(document.read_bytes() * 40)
    kept_build(content, out)
    same_as_clean(content, out, tmp_path, 1)


def test_kept_meeting_files_put_there_by_someone_else_run_nothing(tmp_path):
    content, out, _ = built_with_state(tmp_path)
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            import os

            return (os.system, (f"touch {marker}",))

    parsed = list(next((tmp_path / ".sitegen-cache").glob("parsed-*")).iterdir())
    assert parsed
    for path in parsed:
        path.write_bytes(pickle.dumps(Payload()))
    kept_build(content, out)
    assert not marker.exists()
    same_as_clean(content, out, tmp_path, 1)


def test_the_meeting_files_kept_for_content_folders_not_built_lately_go(tmp_path):
    """Of the meeting files kept for other content folders (one moved, another beside it),
    those built last stay, up to KEEP in all; nothing else is removed, nor through a link."""
    import os

    content = copy_example(tmp_path)
    cache = state.cache_folder(content)
    others = [cache / f"parsed-{n:016x}" for n in range(1, state.KEEP + 1)]
    for n, folder in enumerate(others, 1):
        folder.mkdir(parents=True)
        os.utime(folder, (n * 1000, n * 1000))  # the first, used longest ago
    (cache / "parsed-mine").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.pickle").write_text("keep")
    (cache / "parsed-fedcba9876543210").symlink_to(elsewhere, target_is_directory=True)
    kept_build(content, tmp_path / "out")
    left = {p.name for p in cache.iterdir() if p.name.startswith("parsed-")}
    assert {f.name for f in others} - left == {others[0].name}, left  # the KEEP - 1 used last stay
    assert {"parsed-mine", "parsed-fedcba9876543210"} <= left
    assert len(left) == 2 + state.KEEP  # (this content folder's too)
    assert (elsewhere / "keep.pickle").read_text() == "keep"


def test_a_site_built_without_the_state_leaves_nothing_of_an_exempt_item_in_the_cache(tmp_path):
    """The replaced site becomes the cached one: pages that are not the state's (here a
    clean build's, made between) are not kept there, whatever the next build renders."""
    content, out, _ = built_with_state(tmp_path)
    rel = "meetings/2012/2012-06-13-planning.md"
    phrase = b"internally illuminated sign would harm"
    text = (content / rel).read_text()
    exempt = text.replace(
        "  - id: castle-street-advert\n", '  - id: castle-street-advert\n    exempt: "Paragraph 3"\n', 1
    )
    (content / rel).write_text(exempt)
    kept_build(content, out)
    (content / rel).write_text(text)
    build(content, out, base_path="/", search=False)  # (no state: a clean build, with the text)
    (content / rel).write_text(exempt)
    kept_build(content, out)
    assert _holding(tmp_path / ".sitegen-cache", phrase) == []
    same_as_clean(content, out, tmp_path, 1)


def test_only_the_site_the_states_build_published_is_adopted_unlooked_at(tmp_path, monkeypatch):
    """The replaced site is taken as the next cached one without a look at each page
    only when it is the very site the state's build published: not after a build
    without the state, nor once its mark is replaced."""
    from sitegen.write import MARKER

    adopt, seen = state.adopt, []

    def spy(*args):  # type: ignore[no-untyped-def]
        seen.append(args[4])
        return adopt(*args)

    monkeypatch.setattr(state, "adopt", spy)
    content, out, _ = built_with_state(tmp_path)
    for n, between in enumerate(["", "clean", "", "marked", ""], start=1):
        if between == "clean":
            build(content, out, base_path="/", search=False)
        elif between == "marked":
            marker = out / MARKER
            text = marker.read_bytes()
            marker.unlink()
            marker.write_bytes(text)
        _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
        kept_build(content, out)
        same_as_clean(content, out, tmp_path, n)
    assert seen == [True, False, True, False, True]


def _holding(root: Path, phrase: bytes) -> list[str]:
    """The files below ROOT (but the meeting files as read) that hold PHRASE, in a page or as JSON."""
    found = []
    for folder, _, names in os.walk(root):
        if "parsed-" in folder or ".removing-" in folder:  # (removed in the background meanwhile)
            continue
        for name in names:
            try:
                data = Path(folder, name).read_bytes()
            except OSError:
                continue
            if phrase in data.replace(b"\\n", b"\n").replace(b"\n      ", b" ").replace(b"\n", b" "):
                found.append(os.path.relpath(os.path.join(folder, name), root))
    return sorted(found)


def test_the_preview_site_is_looked_at_page_by_page_when_a_preview_starts_again(tmp_path):
    """The preview changes its site in place as it runs (pages added, the open data
    written after the first page): the next preview's build does not take it as its
    state's build left it, and nothing of an item made exempt since, nor of a page
    added and taken away meanwhile, stays in the cache folder."""
    content = copy_example(tmp_path)
    cache = state.cache_folder(content)
    phrase = b"internally illuminated sign would harm"
    first = _preview(content, search=False)
    first.defer_extras = True  # (as sitegen serve runs it: the open data after the first page)
    assert first.build().ok
    first.publish_due()
    first.settle()
    added = content / "meetings/2012/2012-01-11-council.md"
    added.write_text(
        "---\nbody: council\ndate: 2012-01-11\nstatus: held\nrecord: draft\nlocation: Room 4\nitems:\n"
        "  - id: land\n    title: Land deal\n    minutes: The SECRET-PRICE was agreed.\n---\n"
    )
    assert first.build().ok and _holding(state.preview_folder(content), b"SECRET-PRICE")
    first.settle()
    added.unlink()
    rel = "meetings/2012/2012-06-13-planning.md"
    _toggle(content, rel, "  - id: castle-street-advert\n", '  - id: castle-street-advert\n    exempt: "Paragraph 3"\n')
    second = _preview(content, search=False)
    assert second.build().ok
    second.settle()
    second.publish_due()
    assert _holding(cache, phrase) == [] and _holding(cache, b"SECRET-PRICE") == []


def test_a_site_the_preview_wrote_into_is_looked_at_page_by_page_by_the_next_build(tmp_path):
    """Any folder the preview's engine builds into and then writes into in place (here
    one given to serve(), not its own preview folder): the next build into it does not
    take the site as the state's build left it."""
    from sitegen.incremental import Project

    content = copy_example(tmp_path)
    out = tmp_path / "out"
    project = Project(content, out, search=False)
    project.defer_extras = True
    assert project.build().ok
    project.settle()
    project.publish_due()  # (the open data, after the first page)
    added = content / "meetings/2012/2012-01-11-council.md"
    added.write_text(
        "---\nbody: council\ndate: 2012-01-11\nstatus: held\nrecord: draft\nlocation: Room 4\nitems:\n"
        "  - id: land\n    title: Land deal\n    minutes: The SECRET-PRICE was agreed.\n---\n"
    )
    assert project.build().ok and _holding(out, b"SECRET-PRICE")
    added.unlink()
    rel = "meetings/2012/2012-06-13-planning.md"
    _toggle(content, rel, "  - id: castle-street-advert\n", '  - id: castle-street-advert\n    exempt: "Paragraph 3"\n')
    kept_build(content, out)
    cache = state.cache_folder(content)
    assert _holding(cache, b"internally illuminated sign would harm") == [] and _holding(cache, b"SECRET-PRICE") == []
    same_as_clean(content, out, tmp_path, 1)


def test_a_state_kept_as_a_delta_counts_as_used_when_older_ones_go(tmp_path):
    """Of the states of several settings, those used last stay: a build that wrote only
    a delta used its state as much as one that wrote the whole."""
    content = copy_example(tmp_path)
    cache = state.cache_folder(content)
    keys: list[str] = []
    for base in ["/a/", "/b/", "/c/"]:
        build(content, tmp_path / base.strip("/"), base_path=base, search=False, state_folder=cache)
        keys += [p.name[6:22] for p in cache.glob("state-*.pickle") if p.name[6:22] not in keys]
        time.sleep(0.02)
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    build(content, tmp_path / "a", base_path="/a/", search=False, state_folder=cache)
    assert (cache / f"state-{keys[0]}.delta").exists()
    time.sleep(0.02)
    build(content, tmp_path / "d", base_path="/d/", search=False, state_folder=cache)  # a fourth: /b/'s goes
    assert (cache / f"state-{keys[0]}.pickle").exists() and not (cache / f"state-{keys[1]}.pickle").exists()
    assert build(content, tmp_path / "a", base_path="/a/", search=False, state_folder=cache).rendered == 0


def test_a_redirect_the_build_no_longer_makes_is_not_kept_in_the_cache(tmp_path):
    """The site adopted as it is loses the files its own build wrote besides the pages,
    not only those this build writes."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    kept_build(content, out)
    redirect = out / "bodies" / "scrutiny-committee" / "index.html"  # (an alias of a body)
    assert b'http-equiv="refresh"' in redirect.read_bytes()
    _toggle(content, "bodies.yaml", "  aliases: [scrutiny-committee]\n", "")
    kept_build(content, out)
    site = next(state.cache_folder(content).glob("site-*"))
    assert not redirect.exists() and not (site / redirect.relative_to(out)).exists()
    same_as_clean(content, out, tmp_path, 1)


def test_a_build_that_fails_leaves_no_process_and_keeps_the_cached_site(tmp_path):
    import os

    content = copy_example(tmp_path)
    theme = tmp_path / "themes" / "default" / "templates"  # the site's own copy of a template
    theme.mkdir(parents=True)
    builtin = Path(__file__).resolve().parent.parent / "themes" / "default" / "templates" / "meeting.html"
    (theme / "meeting.html").write_text(builtin.read_text())
    out = tmp_path / "out"
    kept_build(content, out)
    kept_build(content, out)
    cached = next((tmp_path / ".sitegen-cache").glob("site-*")) / "meetings" / "index.html"
    (theme / "meeting.html").write_text("{{ no_such_variable }}")
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    with pytest.raises(Exception, match="meeting.html"):
        kept_build(content, out)
    with pytest.raises(ChildProcessError):  # no process of the build left, running or unreaped
        os.waitpid(-1, os.WNOHANG)
    assert cached.is_file()  # the cached site is back where it was
    assert not [p for p in out.parent.iterdir() if p.name.startswith((".out.tmp-", ".out.old-", ".out.trash-"))]
    (theme / "meeting.html").write_text(builtin.read_text())
    report = kept_build(content, out)
    assert report.rendered < report.pages / 2, report.rendered
    same_as_clean(content, out, tmp_path, 1)


def test_a_build_killed_once_it_took_the_cached_site_leaves_nothing_behind(tmp_path):
    """A build killed just after it moved the cached site beside the output (its staging
    folder): the next build knows that folder as sitegen's and removes it."""
    content, out, cached = built_with_state(tmp_path)
    kept_build(content, out)
    site = cached.parent.parent
    site.rename(out.parent / ".out.tmp-99999")  # what state.take does, and then the build died
    kept_build(content, out)
    assert not (out.parent / ".out.tmp-99999").exists()
    same_as_clean(content, out, tmp_path, 1)


def test_feeds_and_calendars_are_made_again_only_when_what_they_read_changed(tmp_path):
    """A topic's feed is made as a page is: an edit to one item makes its topic's feed
    again, and leaves every other topic's feed as the last build wrote it (the very same
    file), on the route a large site takes (a forked process for the open data)."""
    import re
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    import synth

    content = tmp_path / "content"
    synth.generate(80, content, executive=True)
    out = tmp_path / "out"

    def kept(n: int) -> None:
        build(content, out, base_path="/", search=False, jobs=2, state_folder=state.cache_folder(content))
        clean = tmp_path / f"clean-{n}"
        build(content, clean, base_path="/", search=False, jobs=2)
        assert snapshot(out) == snapshot(clean), f"after edit {n}"

    kept(0)
    feeds = sorted(out.glob("issues/*/feed.atom"))
    assert len(feeds) > 10
    before = {p: p.stat().st_ino for p in feeds}
    path = next(p for p in sorted((content / "meetings").rglob("*.md")) if "\n    issue: " in p.read_text())
    text = path.read_text()
    issue = re.search(r"\n    issue: (\S+)", text)[1]  # type: ignore[index]
    title = re.search(r"\n    title: ([^\n]+)\n    issue: " + re.escape(issue), text)
    assert title is not None
    path.write_text(text.replace(title[0], title[0].replace(title[1], title[1] + " (revised)"), 1))
    kept(1)
    changed = [p.relative_to(out).as_posix() for p in feeds if p.stat().st_ino != before[p]]
    assert changed == [f"issues/{issue}/feed.atom"]
    assert "(revised)" in (out / changed[0]).read_text()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("timezone: Europe/London", "timezone: America/New_York"),
        ("base_url: https://meetings.example.org/", "base_url: https://minutes.example.net/"),
    ],
)
def test_the_site_settings_every_feed_reads_make_them_again(tmp_path, old, new):
    """The feeds' and calendars' times and addresses come from site.yaml: a change there
    makes them again, as a clean build does."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    kept_build(content, out)
    site = content / "site.yaml"
    assert old in site.read_text()
    from sitegen.incremental import Project

    preview = Project(content, tmp_path / "preview")
    assert preview.build().ok
    site.write_text(site.read_text().replace(old, new))
    kept_build(content, out)
    same_as_clean(content, out, tmp_path, 1)
    assert preview.build().ok  # and the preview, after the same edit
    same_as_clean(content, tmp_path / "preview", tmp_path, 2)


def test_a_state_half_saved_by_a_killed_build_is_removed(tmp_path):
    """A build killed while it wrote the state leaves its temporary file: the next build
    that keeps a state removes it, and never one of a build still running."""
    import subprocess
    import sys

    content = copy_example(tmp_path)
    out = tmp_path / "out"
    kept_build(content, out)
    (kept,) = (tmp_path / ".sitegen-cache").glob("state-*.pickle")
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    delta = kept.with_suffix(".delta")
    dead = [name.with_name(f".{name.name}.tmp-{int(ended.stdout)}") for name in (kept, delta)]
    alive = [name.with_name(f".{name.name}.tmp-{os.getppid()}") for name in (kept, delta)]
    for planted in (*dead, *alive):
        planted.write_bytes(b"half a state")
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    kept_build(content, out)
    assert not any(name.exists() for name in dead) and all(name.exists() for name in alive)
    same_as_clean(content, out, tmp_path, 1)


def _preview(content: Path, **settings: object):  # type: ignore[no-untyped-def]
    """The engine of sitegen serve on the preview folder it holds (see state.claim_preview)."""
    from sitegen.incremental import Project

    project = Project(content, state.preview_folder(content), **settings)  # type: ignore[arg-type]
    project.claimed = True
    return project


def test_a_preview_starts_on_the_site_the_last_one_left(tmp_path, monkeypatch):
    """sitegen serve's site is kept in the cache folder (state.preview_folder): the next
    preview takes the cached pages into it instead of linking them one by one, and shows
    what a clean build writes. Nothing else may build there."""
    from sitegen.write import OutputRefused

    content = copy_example(tmp_path)
    folder = state.preview_folder(content)
    assert _preview(content).build().ok
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    taken = []
    take = state.take
    monkeypatch.setattr(state, "take", lambda *a: taken.append(take(*a)) or taken[-1])
    result = _preview(content).build()
    assert result.ok and taken == [True] and 0 < result.rendered < result.written
    same_as_clean(content, folder, tmp_path, 1)
    for output in (folder, folder.with_name("preview-0123456789abcdef")):  # (not held by a preview)
        with pytest.raises(OutputRefused, match="inside the build state's folder"):
            kept_build(content, output)
        with pytest.raises(OutputRefused, match="inside the build state's folder"):
            build(content, output, base_path="/", search=False)  # (keeping no state: --no-cache)


def test_the_open_data_written_beside_the_sorting_never_goes_through_a_link(tmp_path, monkeypatch):
    """A large site's open data is written by a forked process into the cached site it
    took while another sorts it: a link put where the open data goes is removed first,
    never written through, and what the sorting does not know of the open data stays."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import synth

    import sitegen.build

    content = tmp_path / "content"
    synth.generate(60, content)  # over 400 pages: the open data is written by a forked process
    out = tmp_path / "out"
    kept_build(content, out)
    kept_build(content, out)  # (the next starts on the cached site)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "meetings.ics").write_text("someone else's")
    (site,) = (tmp_path / ".sitegen-cache").glob("site-*")
    shutil.rmtree(site / "calendar", ignore_errors=True)
    (site / "calendar").symlink_to(victim, target_is_directory=True)
    sort = state.keep_cached

    def slowly(*args):  # type: ignore[no-untyped-def]
        time.sleep(1)  # (as on a large council: the open data is written before the sorting looks)
        return sort(*args)

    monkeypatch.setattr(state, "keep_cached", slowly)
    monkeypatch.setattr(sitegen.build, "PARALLEL_FROM", 2)
    meeting = sorted((content / "meetings").rglob("*.md"))[5].relative_to(content).as_posix()
    _toggle(content, meeting, "location: ", "location: Room 9, ")
    build(content, out, base_path="/", search=False, state_folder=state.cache_folder(content), jobs=2)
    assert sorted(p.name for p in victim.iterdir()) == ["meetings.ics"]
    assert (victim / "meetings.ics").read_text() == "someone else's"
    same_as_clean(content, out, tmp_path, 1)


def test_the_cached_site_keeps_what_is_being_written_into_it_meanwhile(tmp_path):
    """The open data is written into the cached site taken while it is sorted (a forked
    process starts on it first): those files and their folders stay, whatever the state
    lists; anything else the state does not know goes, as before."""
    site = tmp_path / "staging"
    for rel, text in {
        "meetings/index.html": "kept",
        "meetings/old/index.html": "stale",
        "data/record.json": "being written",
        "data/csv/decisions.csv": "being written",
        "planted/x.html": "not sitegen's",
    }.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text)
    (site / "data" / "csv" / "meetings").mkdir()  # (empty: not its own)
    (site / "calendars").mkdir()  # (empty, and where a file is about to be written)
    st = (site / "meetings/index.html").stat()
    files = {"meetings/index.html": (st.st_size, st.st_mtime_ns)}
    spare = ["data/record.json", "data/csv/decisions.csv", "calendars/all.ics"]
    assert state.keep_cached(site, files, spare) == {"meetings/index.html"}
    left = {p.relative_to(site).as_posix() for p in site.rglob("*")}
    assert left == {"meetings", "meetings/index.html", "data", "data/record.json", "data/csv"} | {
        "data/csv/decisions.csv",
        "calendars",
    }
    assert state.keep_cached(site, files) == {"meetings/index.html"}  # (nothing spared: only the page stays)
    assert {p.relative_to(site).as_posix() for p in site.rglob("*")} == {"meetings", "meetings/index.html"}


def test_the_preview_serves_first_and_keeps_its_state_and_open_data_after(tmp_path):
    """As sitegen serve runs its first build (Project.defer_extras): the open data is
    left for after the first page (publish_due), and the build state is kept by a forked
    process that the next build waits for (settle); the site is a clean build's."""
    content = copy_example(tmp_path)
    folder = state.preview_folder(content)
    project = _preview(content, search=False)
    project.defer_extras = True
    assert project.build().ok
    assert project.extras_due and not (folder / "data" / "record.json").exists()
    assert not (folder / "sitemap.xml").exists() and (folder / "meetings" / "index.html").is_file()
    assert project._keeping is not None  # (the state being kept meanwhile)
    project.publish_due()
    assert (folder / "data" / "record.json").is_file() and (folder / "sitemap.xml").is_file()
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    result = project.build()  # (waits for the state to be kept first)
    assert result.ok and project._keeping is None and result.rendered
    project.publish_due()
    same_as_clean(content, folder, tmp_path, 1)
    again = _preview(content, search=False)  # a next preview, from the state the first kept
    assert again.build().rendered == result.rendered  # (the pages of the edit made after the state was kept)
    same_as_clean(content, folder, tmp_path, 2)


def test_a_preview_from_the_state_keeps_what_the_plan_gives_each_page_while_it_waits(tmp_path):
    """The build that starts a preview from the state compares what the plan gives each
    page normalized, as the state keeps it, and keeps no copy of it as given (see
    record.Reads.due); the preview keeps one while it waits (Reads.thaw), to compare first
    on each edit. Edits before and after it match clean builds."""
    content = copy_example(tmp_path)
    folder = state.preview_folder(content)
    kept_build(content, tmp_path / "out")
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")  # (compared, then)
    project = _preview(content, search=False)
    assert project.build().ok and project._cold
    assert any(given is None for given, _ in project.state.signatures.values())
    project.warm()  # (its first step)
    assert all(given is not None for given, _ in project.state.signatures.values())
    for n, edit in enumerate((EDITS[1], EDITS[3], EDITS[1]), 1):  # (an item renamed: its page's title changes)
        edit(content)
        assert project.build().rendered
        same_as_clean(content, folder, tmp_path, n)
        while project.warm():
            pass
    project.settle()
    EDITS[3](content)
    again = _preview(content, search=False)
    assert again.build().ok
    EDITS[1](content)  # (before the preview has waited)
    assert again.build().rendered
    same_as_clean(content, folder, tmp_path, 4)


def _publish_in_a_fork(project) -> None:  # type: ignore[no-untyped-def]
    """As serve's BackgroundPublisher does: the deferred files written by a forked copy."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            project.publish_due()
        except BaseException:
            code = 1
        os._exit(code)
    project.published_later()
    assert os.waitpid(pid, 0)[1] == 0


def test_the_preview_removes_a_redirect_gone_since_its_first_build(tmp_path):
    """The files the preview leaves for after the reload are written by a forked copy:
    the preview still knows them, and a redirect page whose alias went is removed."""
    content = copy_example(tmp_path)
    folder = state.preview_folder(content)
    project = _preview(content, search=False)
    project.defer_extras = True
    assert project.build().ok
    _publish_in_a_fork(project)
    assert (folder / "people" / "cllr-g-rhys" / "index.html").is_file()
    _toggle(content, "people.yaml", "  aliases: [cllr-g-rhys]\n", "")
    assert project.build().ok
    _publish_in_a_fork(project)
    assert not (folder / "people" / "cllr-g-rhys").exists()
    same_as_clean(content, folder, tmp_path, 1)


def test_the_preview_folders_of_content_folders_not_previewed_lately_go(tmp_path):
    """Of other content folders' preview folders, those of the KEEP previewed last stay,
    with any another preview holds; the others go with what a killed build left beside
    them. A second claim of the same folder is refused while the first holds it."""
    import fcntl

    from sitegen.write import MARKER

    content = copy_example(tmp_path)
    cache = state.cache_folder(content)
    cache.mkdir()
    others = [cache / f"preview-{n:016x}" for n in range(5)]
    for n, folder in enumerate(others):
        (folder / "meetings").mkdir(parents=True)
        lock = folder.with_name(folder.name + ".lock")
        lock.write_text("")
        os.utime(lock, ns=(n * 10**9, n * 10**9))  # (the higher, the later previewed)
    left = cache / f".{others[0].name}.tmp-123"  # a killed build's staging beside the oldest
    left.mkdir()
    (left / MARKER).write_text("")
    held = os.open(f"{others[1]}.lock", os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)  # (another preview shows the second oldest)
    try:
        claimed = state.claim_preview(content)
        assert claimed is not None and claimed[0] == state.preview_folder(content)
        assert state.claim_preview(content) is None  # (held: a second preview builds elsewhere)
        kept = {p.name for p in cache.iterdir()}
        assert {others[3].name, others[4].name, others[1].name} <= kept  # the KEEP - 1 last, and the one held
        assert not {others[0].name, others[2].name, left.name, f"{others[0].name}.lock"} & kept
        os.close(claimed[1])
    finally:
        os.close(held)


def test_a_forked_process_waited_for_with_a_timeout_is_ended_after_it(tmp_path):
    """Aside.result(TIMEOUT), as a stopping preview waits for the process keeping its
    state (serve.STOP_WAIT): a process still at work after TIMEOUT is ended and reaped,
    and AsideFailed raised; one done in time gives its result."""
    import os
    import time

    from sitegen.build import Aside, AsideFailed

    slow = Aside(time.sleep, 30)
    started = time.perf_counter()
    with pytest.raises(AsideFailed, match="still at work after 0.5 s"):
        slow.result(0.5)
    assert time.perf_counter() - started < 10
    with pytest.raises(ChildProcessError):  # ended and reaped
        os.waitpid(-1, os.WNOHANG)
    assert Aside(sum, [1, 2, 3]).result(10) == 6


@pytest.mark.parametrize("site", ["example", "synthetic"])
def test_a_pages_signature_is_what_normalizing_all_it_is_given_gives(tmp_path, site):
    """record.signature works out the commonest values itself: on every page, feed,
    calendar and part of a whole site, and on contexts of every kind of value, it gives
    what Keys.normalize gives."""
    import datetime as dt
    from decimal import Decimal

    from sitegen import model as m
    from sitegen import record
    from sitegen.pages import Page

    if site == "example":
        content = copy_example(tmp_path)
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
        import synth

        content = tmp_path / "content"
        synth.generate(40, content)
    report = build(content, tmp_path / "out", base_path="/", search=False, record_reads=True)
    keys, builder = report.keys, report.builder
    assert keys is not None and builder is not None

    def whole(page):  # type: ignore[no-untyped-def]
        return keys.normalize([page.template, page.title, page.path, page.context])

    planned = list(builder.planned.values())
    assert len(planned) > 100
    assert any(page.__class__ is not Page for page in planned)  # (the feeds, calendars and parts too)
    for page in planned:
        assert record.signature(keys, page) == whole(page), page.file
    meeting = next(iter(keys.model.meetings.values()))
    values = [
        "short",
        "long " * 40,
        None,
        3,
        True,
        1.5,
        dt.date(2026, 1, 2),
        Decimal("12.50"),
        [],
        [meeting, "x" * 100],
        {"a": meeting},
        (meeting, meeting.items),
        meeting,
        meeting.items[0] if meeting.items else meeting,
        m.Meeting.__new__(m.Meeting),  # (a model object the model does not own)
        {1, 2},
        m.Texts({"en": "Cabinet", "cy": "Cabinet " * 20}, ("en", "cy")),
    ]
    for n, value in enumerate(values):
        for title in ("A title", "A title " * 20, values[-1]):
            page = Page("x/", "page.html", title, {"value": value, "other": meeting})
            assert record.signature(keys, page) == whole(page), n


def test_the_pages_reading_a_changed_read_are_found_alike_in_bytes_and_page_by_page():
    """Reads._reading looks for a few changed reads in the bytes of every page's reads:
    it finds the pages the pass over every page finds, whatever the numbers (one whose
    bytes straddle two numbers side by side is not one of them), for pages kept as
    arrays (from the state on disk) and as sets alike."""
    from array import array

    from sitegen import record

    rng = random.Random(18)
    for trial in range(60):
        reads = record.Reads()
        top = rng.choice([50, 300, 2**16, 2**23])
        changed = set(rng.sample(range(top), rng.randint(1, record.FEW_CHANGED)))
        for n in range(rng.randint(0, 300)):
            numbers = [rng.randrange(top) for _ in range(rng.randint(0, 40))]
            if rng.random() < 0.2:  # (a changed read's bytes across two numbers: not a read of it)
                c = rng.choice(sorted(changed))
                numbers += [(c << 8) & 0x7FFFFFFF, 0, c >> 24] if c < 2**23 else [0]
            kind = array if rng.random() < 0.8 else frozenset
            reads.by_page[f"p{n}/index.html"] = kind("i", numbers) if kind is array else frozenset(numbers)
        joined = reads._joined()
        assert reads._reading(changed, joined) == reads._reading(changed), trial
    straddled = record.Reads()
    straddled.by_page = {"a": array("i", [5 << 8, 0]), "b": array("i", [7, 5]), "c": frozenset({5})}
    assert straddled._reading({5}, straddled._joined()) == {"b", "c"}
