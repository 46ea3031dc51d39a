"""Commands, theme fallback and atomic output."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, page


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_build_prints_phases_and_summary(cli, site, tmp_path):
    content = site({"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\n"})
    result = cli("build", "--content", content, "--output", tmp_path / "out")
    assert result.code == 0
    lines = result.out.splitlines()
    assert [line.split()[0] for line in lines[:4]] == ["read", "render", "write", "search"]
    assert lines[-1].startswith("built ") and " pages " in lines[-1] and lines[-1].endswith(" s")


def test_failed_build_leaves_previous_output_intact(cli, site, tmp_path):
    content = site({"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\n"})
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out).code == 0
    before = snapshot(out)
    (content / "meetings/m.yaml").write_text("body: cabinet\ndate: 2011-11-31\n")
    assert cli("build", "--content", content, "--output", out).code == 1
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".out.tmp-*"))


def test_template_error_leaves_previous_output_intact(cli, site, tmp_path):
    from sitegen.build import build

    content = site({"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\n"})
    out = tmp_path / "out"
    build(content, out)
    before = snapshot(out)
    theme = tmp_path / "themes" / "broken" / "templates"
    theme.mkdir(parents=True)
    (theme / "meeting.html").write_text("{{ no_such_variable }}")
    (content / "site.yaml").write_text((content / "site.yaml").read_text() + "theme: broken\n")
    result = cli("build", "--content", content, "--output", out)
    assert result.code == 1 and "Traceback" not in result.err
    assert "the theme failed to render meeting.html for /meetings/m/" in result.err
    assert snapshot(out) == before


@pytest.mark.parametrize("expression", ["{{ 1/0 }}", "{{ meeting.location + 1 }}"])
def test_a_template_expression_python_refuses_is_one_line_naming_the_template(cli, site, tmp_path, expression):
    content = site({"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nlocation: Hall\n"})
    theme = tmp_path / "themes" / "broken" / "templates"
    theme.mkdir(parents=True)
    (theme / "meeting.html").write_text(
        f'{{% extends "base.html" %}}{{% block main %}}\n\n{expression}{{% endblock %}}'
    )
    (content / "site.yaml").write_text((content / "site.yaml").read_text() + "theme: broken\n")
    result = cli("build", "--content", content, "--output", tmp_path / "out", "--jobs", "1")
    assert result.code == 1 and "Traceback" not in result.err, result.err
    assert "meeting.html:3: the theme failed to render meeting.html for /meetings/m/" in result.err


def test_theme_overrides_one_template_and_falls_back(cli, site, tmp_path):
    content = site({"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\n"})
    (content / "site.yaml").write_text((content / "site.yaml").read_text() + "theme: civic\n")
    theme = tmp_path / "themes" / "civic"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Nothing here, sorry</h1>{% endblock %}'
    )
    (theme / "static").mkdir()
    (theme / "static" / "extra.css").write_text("body{}")
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out).code == 0
    assert "Nothing here, sorry" in page(out, "404.html")
    assert "Skip to main content" in page(out, "404.html")  # base.html from the default theme
    assert "Wednesday 16 November 2011" in page(out, "/meetings/m/")  # meeting.html from the default theme
    assert list((out / "static").glob("extra.*.css")) and list((out / "static").glob("style.*.css"))


def test_new_meeting_writes_a_valid_skeleton_and_refuses_to_overwrite(cli, site, tmp_path):
    content = site({})
    result = cli("new", "meeting", "cabinet", "2027-03-04", "--content", content)
    assert result.code == 0
    path = Path(result.out.strip())
    assert path == content / "meetings" / "2027" / "2027-03-04-cabinet.md"
    assert "status: scheduled" in path.read_text()
    assert cli("check", "--content", content).code == 0
    again = cli("new", "meeting", "cabinet", "2027-03-04", "--content", content)
    assert again.code == 1 and "already exists" in again.err
    assert cli("new", "meeting", "cabinett", "2027-03-04", "--content", content).code == 2


def test_new_meeting_needs_bodies_first(cli, tmp_path):
    result = cli("new", "meeting", "cabinet", "2027-03-04", "--content", tmp_path / "content")
    assert result.code == 2 and "bodies.yaml is missing or lists no bodies" in result.err
    assert not (tmp_path / "content").exists()


@pytest.mark.parametrize("command", ["build", "check", "new"])
def test_help_says_what_and_gives_an_example(command):
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", command, "--help"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert "example:" in result.stdout and f"sitegen {command}" in result.stdout


def test_content_error_is_never_a_traceback_in_a_real_process(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "site.yaml").write_text("title: [unclosed\n")
    result = subprocess.run(
        [sys.executable, "-m", "sitegen", "check", "--content", str(content)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "site.yaml:2: YAML syntax error" in result.stderr or "site.yaml:1: YAML syntax error" in result.stderr


def test_link_checker_passes_the_example_site(cli, example_output):
    result = cli("check", "--output", example_output)
    assert result.code == 0, result.err
    assert result.out.startswith("checked ") and ": 0 broken links" in result.out


def test_link_checker_finds_planted_faults(cli, site, tmp_path):
    content = site({"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n"})
    out = tmp_path / "out"
    assert cli("build", "--no-search", "--content", content, "--output", out).code == 0
    item = out / "meetings/m/a/index.html"
    html = item.read_text()
    planted = (
        '<a href="/meetings/nowhere/">x</a><a href="/meetings/m/#no-such-id">y</a>'
        '<img src="/static/missing.png" alt="z"><a href="../../../../etc/passwd">w</a><a href="#also-missing">v</a>'
        '<a href="https://example.org/">external, not checked</a>'
    )
    item.write_text(html.replace("</main>", planted + "</main>"))
    result = cli("check", "--output", out)
    assert result.code == 1
    lines = set(result.err.splitlines())
    assert lines == {
        "/meetings/m/a/index.html -> /meetings/nowhere/: no such page or file",
        '/meetings/m/a/index.html -> /meetings/m/#no-such-id: no element with id "no-such-id"',
        "/meetings/m/a/index.html -> /static/missing.png: no such page or file",
        "/meetings/m/a/index.html -> ../../../../etc/passwd: outside the site",
        '/meetings/m/a/index.html -> #also-missing: no element with id "also-missing"',
    }


def test_one_process_and_several_write_the_same_bytes(cli, tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import synth

    synth.generate(60, tmp_path / "content")  # over 500 pages: enough to share out
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}"
        result = cli(
            "build", "--no-search", "--no-cache", "--jobs", jobs, "--content", tmp_path / "content", "--output", out
        )
        assert result.code == 0, result.out
        assert ("1 process" in result.out) == (jobs == "1")
        outs.append(snapshot(out))
    assert len(outs[0]) > 500 and outs[0] == outs[1]


def test_a_failure_while_publishing_aside_leaves_the_output_alone(tmp_path, monkeypatch):
    """The feeds, calendars and data files are written by a forked process while the
    pages are planned and rendered: its failure must fail the build like any other."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import synth

    import sitegen.publish
    from sitegen.build import build

    synth.generate(60, tmp_path / "content")
    out = tmp_path / "out"
    build(tmp_path / "content", out, search=False, jobs=2)
    before = snapshot(out)

    def broken(self, parts):  # noqa: ANN001, ANN202
        yield "feeds/meetings.atom", b"<feed/>"
        raise ValueError("the calendar could not be made")

    monkeypatch.setattr(sitegen.publish.Publisher, "made", broken)
    with pytest.raises(ValueError, match="calendar could not be made"):
        build(tmp_path / "content", out, search=False, jobs=2)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == [".out.lock"]


def test_reading_on_two_processes_gives_the_same_site_and_errors(tmp_path, monkeypatch):
    from conftest import copy_example

    import sitegen.build as build_module
    from sitegen.build import ContentError, build

    content = copy_example(tmp_path)
    serial, shared = tmp_path / "serial", tmp_path / "shared"
    build(content, serial, search=False)
    monkeypatch.setattr(build_module, "PARALLEL_READ_FROM", 2)  # the example's 22 files, shared out
    build(content, shared, search=False)
    assert snapshot(serial) == snapshot(shared)

    # an error in a file the forked reader reads (the first part) is reported as usual
    first = sorted((content / "meetings").rglob("*.md"))[0]
    first.write_text(first.read_text().replace("date:", "date: 2011-13-45\nbogus:", 1))
    with pytest.raises(ContentError) as raised:
        build(content, tmp_path / "bad", search=False)
    messages = [str(p) for p in raised.value.problems]
    assert any(first.name in m and "bogus" in m for m in messages), messages


def test_the_command_exits_with_its_code_and_all_its_output(site, tmp_path):
    import subprocess
    import sys

    good = site({"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\n"})
    run = [sys.executable, "-m", "sitegen", "build", "--no-search", "--output", str(tmp_path / "out")]
    done = subprocess.run([*run, "--content", str(good)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.splitlines()[-1].startswith("built "), done
    bad = site({"meetings/m.yaml": "body: nobody\ndate: 2011-11-16\n"})
    done = subprocess.run([*run, "--content", str(bad)], capture_output=True, text=True)
    assert done.returncode == 1 and 'unknown body "nobody"' in done.stdout + done.stderr, done


def test_check_finds_what_the_build_would_find_in_a_theme(cli, site, tmp_path):
    content = site({"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\n"})
    theme = tmp_path / "themes" / "broken" / "templates"
    theme.mkdir(parents=True)
    (theme / "meeting.html").write_text('{% extends "base.html" %}{% block main %}{{ foo( }}{% endblock %}')
    (content / "site.yaml").write_text((content / "site.yaml").read_text() + "theme: broken\n")
    checked = cli("check", "--content", content)
    built = cli("build", "--content", content, "--output", tmp_path / "out")
    assert checked.code == built.code == 1
    assert "meeting.html:1:" in checked.err and "Traceback" not in checked.err


def test_a_content_folder_that_is_not_there_or_is_a_file_is_one_line(cli, tmp_path):
    for path, said in ((tmp_path / "nowhere", "does not exist"), (tmp_path / "site.yaml", "is a file, not a folder")):
        if said.startswith("is a file"):
            path.write_text("title: x\n")
        result = cli("build", "--content", path, "--output", tmp_path / "out")
        assert result.code == 1 and "Traceback" not in result.err
        assert result.err.startswith(f"{path}: the content folder {said}"), result.err


def test_new_meeting_writes_its_titles_in_the_sites_languages(cli, site, tmp_path):
    content = site({"site.yaml": "authority: T\nbase_url: https://t.example/\nlanguages: [cy, en]\n"})
    result = cli("new", "meeting", "cabinet", "2027-03-04", "--content", content)
    assert result.code == 0, result.err
    text = Path(result.out.strip()).read_text(encoding="utf-8")
    assert '      cy: "Ymddiheuriadau am absenoldeb"\n      en: "Apologies for absence"\n' in text
    check = cli("check", "--content", content, "--today", "2027-01-01")
    assert check.code == 0 and "meetings/" not in check.err, check.err
    welsh = site({"site.yaml": "authority: T\nbase_url: https://t.example/\nlanguage: cy\n"})
    text = Path(cli("new", "meeting", "cabinet", "2027-03-05", "--content", welsh).out.strip()).read_text()
    assert '    title: "Ymddiheuriadau am absenoldeb"\n' in text


def test_today_is_taken_by_new_and_serve_as_by_build(cli, site):
    content = site({})
    result = cli("new", "meeting", "cabinet", "2027-03-04", "--content", content, "--today", "2027-05-01")
    assert result.code == 0 and "status: held" in Path(result.out.strip()).read_text()
    wrong = cli("serve", "--content", content, "--today", "2027-02-30")
    assert wrong.code == 2 and '--today "2027-02-30" is not a date' in wrong.err


def test_a_theme_that_is_not_there_is_warned_of(cli, site, tmp_path):
    content = site({"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\nend: '10:00'\nstart: 6.30pm\n"})
    (tmp_path / "themes" / "civic").mkdir(parents=True)
    (content / "site.yaml").write_text((content / "site.yaml").read_text() + "theme: civci\n")
    result = cli("check", "--content", content)
    assert (
        'site.yaml:7: warning: theme "civci": there is no folder themes/civci beside the content folder, nor in it (did you mean "civic"?); the default theme is used'
        in result.err
    )
    assert "end is given without start" not in result.err  # (the start is in error: said once)
