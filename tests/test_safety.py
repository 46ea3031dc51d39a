"""Never destroy, never leak: the output folder is sitegen's alone, an exempt item's
files are never published, files/ publishes documents only, every fault is a message."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from conftest import SITE, fake_pagefind, page

MEETING = "body: cabinet\ndate: 2011-11-16\n"


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file and link under FOLDER, with its bytes' digest (or where the link points)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[rel] = "folder"
    return out


@pytest.fixture
def project(site, tmp_path):
    content = site({"meetings/m.yaml": MEETING})
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("my notes\n")
    (tmp_path / "site" / ".git").mkdir()
    (tmp_path / "site" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / "notes.txt").write_text("a file\n")
    (tmp_path / "themes" / "mine" / "templates").mkdir(parents=True)
    (tmp_path / "themes" / "mine" / "templates" / "x.html").write_text("x")
    return content


@pytest.mark.parametrize(
    "output, says",
    [
        ("content", "is the content folder"),
        ("content/meetings", "inside the content folder"),
        ("content/new-folder", "inside the content folder"),
        (".", "holds the content folder"),
        ("..", "holds the content folder"),
        ("themes", "the theme's folder"),
        ("themes/mine", "the theme's folder"),
        ("themes/unused-theme", "the themes folder"),
        ("site", "did not write"),
        ("notes.txt", "is a file"),
        ("link-to-site", "symbolic link"),
        ("link-to-nowhere", "symbolic link"),
    ],
)
def test_build_refuses_an_output_it_does_not_own(cli, project, tmp_path, monkeypatch, output, says):
    (project / "site.yaml").write_text((project / "site.yaml").read_text() + "theme: mine\n")
    (tmp_path / "link-to-site").symlink_to(tmp_path / "site")
    (tmp_path / "link-to-nowhere").symlink_to(tmp_path / "nowhere")
    monkeypatch.chdir(tmp_path)
    before = fingerprint(tmp_path)
    result = cli("build", "--content", "content", "--output", output, "--no-search")
    assert result.code == 1, result.out
    assert says in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1 and result.err.startswith("sitegen: ")  # one line
    assert fingerprint(tmp_path) == before  # every file the user had, byte for byte; nothing added


def test_build_replaces_only_its_own_output(cli, project, tmp_path):
    out = tmp_path / "out"
    out.mkdir()  # an empty folder may be used
    assert cli("build", "--content", project, "--output", out, "--no-search").code == 0
    assert (out / ".sitegen-output").is_file()
    (out / "stale.html").write_text("old")
    assert cli("build", "--content", project, "--output", out, "--no-search").code == 0
    assert not (out / "stale.html").exists()  # a folder sitegen built is replaced whole
    (out / ".sitegen-output").unlink()
    result = cli("build", "--content", project, "--output", out, "--no-search")
    assert result.code == 1 and "did not write" in result.err


def test_an_output_inside_a_site_sitegen_built_is_refused(cli, project, tmp_path):
    """The next build of the outer site would replace it whole, and the inner one with it."""
    out = tmp_path / "out"
    assert cli("build", "--content", project, "--output", out, "--no-search").code == 0
    before = fingerprint(out)
    result = cli("build", "--content", project, "--output", out / "sub", "--no-search")
    assert result.code == 1 and "a site sitegen built" in result.err and "Traceback" not in result.err
    assert fingerprint(out) == before


def test_unwritable_and_overlong_outputs_are_one_line(cli, project, tmp_path):
    result = cli("build", "--content", project, "--output", "/proc/sitegen-no/out", "--no-search")
    assert result.code == 1 and result.err.startswith("sitegen: ") and "Traceback" not in result.err
    long = tmp_path / ("a" * 250)
    result = cli("build", "--content", project, "--output", long, "--no-search")
    assert result.code == 1 and "too long" in result.err
    assert not long.exists() and not list(tmp_path.glob(".aaa*"))


def test_a_full_disk_keeps_the_old_site(cli, project, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert cli("build", "--content", project, "--output", out, "--no-search").code == 0
    before = fingerprint(out)
    import sitegen.build

    calls = []

    def full(root, rel, data, made):  # the disk fills after the first few files
        calls.append(rel)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, "No space left on device", f"{root}/{rel}")
        return real(root, rel, data, made)

    real = sitegen.build.write_file
    monkeypatch.setattr(sitegen.build, "write_file", full)
    result = cli("build", "--content", project, "--output", out, "--no-search", "--jobs", "1")
    assert result.code == 1 and "No space left on device" in result.err and "Traceback" not in result.err
    assert fingerprint(out) == before
    assert not list(tmp_path.glob(".out.*-*"))


def test_a_search_index_with_empty_files_is_not_published(cli, project, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert cli("build", "--content", project, "--output", out, "--no-search").code == 0
    before = fingerprint(out)
    # a Pagefind that exits 0 and leaves empty files, as Pagefind did on a full disk
    fake = fake_pagefind(
        tmp_path,
        "import pathlib, sys\n"
        "site = pathlib.Path(sys.argv[sys.argv.index('--site') + 1]) / 'pagefind'\n"
        "site.mkdir()\n"
        "(site / 'pagefind.js').write_bytes(b'')\n"
        "(site / 'pagefind-entry.json').write_bytes(b'{}')\n",
    )
    monkeypatch.setenv("PYTHONPATH", str(fake))
    result = cli("build", "--content", project, "--output", out)
    assert result.code == 1 and "empty files" in result.err and "pagefind.js" in result.err
    assert fingerprint(out) == before


def test_a_meeting_file_that_links_outside_the_content_folder_is_an_error(cli, site, tmp_path):
    """A meeting file that is a symbolic link to a file outside the content folder is not
    read (it could publish any file), as files/ refuses links; one inside it is read."""
    content = site({"meetings/2011/2011-11-16-cabinet.yaml": MEETING})
    outside = tmp_path / "elsewhere" / "m.yaml"
    outside.parent.mkdir()
    outside.write_text("body: cabinet\ndate: 2011-11-17\nitems:\n  - id: x\n    title: OUTSIDE-SECRET-TITLE\n")
    link = content / "meetings" / "2011" / "2011-11-17-cabinet.yaml"
    link.symlink_to(outside)
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 1 and "Traceback" not in result.err
    assert "meetings/2011/2011-11-17-cabinet.yaml:1: this file is a symbolic link to a file outside" in result.err
    assert not out.exists()
    link.unlink()
    inside = content / "meetings" / "kept" / "_m.yaml"  # (not a meeting file itself: only the link is)
    inside.parent.mkdir()
    inside.write_text(outside.read_text().replace("OUTSIDE-SECRET-TITLE", "Inside title"))
    link.symlink_to(os.path.relpath(inside, link.parent))
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 0, result.err
    assert "Inside title" in (out / "meetings" / "2011-11-17-cabinet" / "index.html").read_text()
    # the whole meetings folder a link to one outside: refused too, and nothing of it read
    link.unlink()
    shutil.rmtree(inside.parent)
    (content / "meetings").rename(tmp_path / "elsewhere" / "meetings")
    (tmp_path / "elsewhere" / "meetings" / "2011" / "2011-11-17-cabinet.yaml").write_text(outside.read_text())
    (content / "meetings").symlink_to(tmp_path / "elsewhere" / "meetings")
    result = cli("build", "--content", content, "--output", tmp_path / "out2", "--no-search")
    assert result.code == 1 and "meetings: this folder is a symbolic link to a folder outside" in result.err
    assert "Traceback" not in result.err and not (tmp_path / "out2").exists()


def test_check_output_reports_odd_files_without_a_traceback(cli, project, tmp_path):
    out = tmp_path / "out"
    assert cli("build", "--content", project, "--output", out, "--no-search").code == 0
    (out / "loop.html").symlink_to(out / "loop.html")
    (out / "dangling.html").symlink_to(out / "nowhere.html")
    os.mkfifo(out / "x.html")
    result = cli("check", "--output", out)
    assert result.code == 1 and "Traceback" not in result.err
    for name in ("loop.html", "dangling.html", "x.html"):
        assert f"/{name} -> {name}: not a regular file" in result.err


# --- exempt items and files/ -----------------------------------------------------

EXEMPT = """\
body: cabinet
date: 2024-01-10
items:
  - id: land-sale
    title: Sale of land at Mill Lane
    exempt: Paragraph 3 of Schedule 12A
    minutes: The valuation was SECRET-VALUATION-TEXT.
    documents:
      - title: SECRET-DOCUMENT-TITLE
        href: files/2024/exempt-report.pdf
  - id: budget
    title: Budget
    documents:
      - title: Budget report
        href: files/2024/budget.pdf
"""


def walk_for(output: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in output.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.relative_to(output)}: {n!r}" for n in needles if n in data]
    return found


def test_an_exempt_items_files_are_not_published(cli, site, tmp_path):
    content = site({"meetings/2024/2024-01-10-cabinet.yaml": EXEMPT})
    (content / "files/2024").mkdir(parents=True)
    (content / "files/2024/exempt-report.pdf").write_bytes(b"%PDF CONFIDENTIAL-PDF-BYTES")
    (content / "files/2024/budget.pdf").write_bytes(b"%PDF public budget")
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out)
    assert result.code == 0, result.err
    assert not (out / "files/2024/exempt-report.pdf").exists()
    assert (out / "files/2024/budget.pdf").is_file()
    assert (
        walk_for(out, [b"exempt-report", b"CONFIDENTIAL-PDF-BYTES", b"SECRET-VALUATION-TEXT", b"SECRET-DOCUMENT-TITLE"])
        == []
    )
    assert "Sale of land at Mill Lane" in page(out, "/meetings/2024-01-10-cabinet/land-sale/")


def test_a_file_of_an_exempt_and_a_public_item_is_an_error(cli, site, tmp_path):
    content = site(
        {
            "meetings/2024/2024-01-10-cabinet.yaml": EXEMPT.replace(
                "files/2024/budget.pdf", "files/2024/exempt-report.pdf"
            ),
        }
    )
    (content / "files/2024").mkdir(parents=True)
    (content / "files/2024/exempt-report.pdf").write_bytes(b"%PDF")
    result = cli("check", "--content", content)
    assert result.code == 1
    assert (
        "meetings/2024/2024-01-10-cabinet.yaml:10: files/2024/exempt-report.pdf is a document of the exempt item"
        in result.err
    )
    assert "meetings/2024/2024-01-10-cabinet.yaml:15" in result.err  # the public one, named


@pytest.mark.parametrize("name", ["e.html", "index.html", "e.js", "logo.svg", "feed.xml", "run.sh", "noextension"])
def test_files_refuses_code(cli, site, tmp_path, name):
    content = site({"meetings/m.yaml": MEETING})
    (content / "files").mkdir()
    (content / "files" / name).write_text("<script>alert(1)</script>")
    result = cli("build", "--content", content, "--output", tmp_path / "out")
    assert result.code == 1
    assert f"files/{name}:" in result.err and "not published" in result.err
    assert not (tmp_path / "out").exists()


def test_hidden_files_are_left_out_with_a_warning(cli, site, tmp_path):
    content = site({"meetings/m.yaml": MEETING})
    (content / "files/.git").mkdir(parents=True)
    (content / "files/.git/config").write_text("secret")
    (content / "files/.htaccess").write_text("Options +Indexes")
    (content / "files/report.pdf").write_bytes(b"%PDF")
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 0
    assert "files/.htaccess: warning: files/.htaccess is a hidden file" in result.err
    assert "files/.git: warning:" in result.err
    assert sorted(p.name for p in (out / "files").rglob("*")) == ["report.pdf"]


# --- every text, any character: a PATH:LINE message or a clean build, never a traceback ----

TEXT_FIELDS = """\
body: cabinet
date: 2011-11-16
location: {0}
items:
  - id: one
    title: {0}
    report: {0}
    minutes: {0}
    decisions:
      - id: "1"
        text: {0}
"""


@pytest.mark.parametrize("where", ["meeting", "people", "bodies"])
def test_any_text_is_a_message_or_a_clean_build(tmp_path, cli, where):
    import json
    import re
    import shutil

    from conftest import BODIES, PEOPLE, write_site
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from sitegen.cli import main

    characters = st.characters(codec=None, categories=None)  # every plane, controls, marks, surrogates
    tricky = st.sampled_from(["\u202e", "\u2066", "\x0b", "\x00", "\x85", "\ufeff", "\ud800", "&<>\"'", "]](", "\\"])

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.one_of(characters, tricky), min_size=1, max_size=12).map("".join))
    def one(text: str) -> None:
        quoted = json.dumps(text)  # a YAML double-quoted scalar: every character as an escape
        root = tmp_path / "case"
        shutil.rmtree(root, ignore_errors=True)
        files = {"meetings/m.yaml": MEETING}
        if where == "meeting":
            files["meetings/m.yaml"] = TEXT_FIELDS.format(quoted)
        elif where == "people":
            files["people.yaml"] = PEOPLE.replace('"Councillor Amina Khan"', quoted).replace(
                "Councillor Amina Khan", quoted
            )
        else:
            files["bodies.yaml"] = BODIES.replace("Audit Committee", quoted)
        content = write_site(root, files)
        checked = main(["check", "--content", str(content)])
        built = main(["build", "--content", str(content), "--output", str(root / "out"), "--no-search", "--jobs", "1"])
        assert checked == built, text
        if built == 0:
            for path in (root / "out").rglob("*"):
                if path.is_file():
                    path.read_bytes().decode("utf-8")  # every file is text a browser can read

    one()
    # a control character and a bidirectional override: each at its own line, in check and build alike
    text = TEXT_FIELDS.format(json.dumps("a\u202eb")).replace("    minutes:", '    minutes: "x\\u000by"\n    x:', 1)
    content = write_site(tmp_path / "case2", {"meetings/m.yaml": text})
    for command in (["check"], ["build", "--output", tmp_path / "out2"]):
        result = cli(*command, "--content", content)
        assert result.code == 1 and "Traceback" not in result.err
        assert re.search(
            r"^meetings/m\.yaml:3: the text holds the bidirectional control character U\+202E", result.err, re.M
        )
        assert re.search(r"^meetings/m\.yaml:8: the text holds the control character U\+000B", result.err, re.M)
    # typed as they are, not as escapes: each reported at its line, and the file's other problems too
    raw = "body: cabinet\nminuets: x\ndate: 2011-11-16\nlocation: Room\u202e 1\n"
    content = write_site(tmp_path / "case3", {"meetings/m.yaml": raw})
    result = cli("check", "--content", content)
    assert "meetings/m.yaml:4: the text holds the bidirectional control character U+202E" in result.err, result.err
    assert 'meetings/m.yaml:2: unknown key "minuets"' in result.err, result.err


# --- Markdown: nothing dropped in silence, nothing that runs or tracks, bounded ----------


def minutes(text: str) -> str:
    body = "\n".join("      " + line for line in text.split("\n"))
    return f"body: cabinet\ndate: 2011-11-16\nitems:\n  - id: a\n    title: A\n    minutes: |\n{body}\n"


def test_prose_that_would_not_be_published_as_typed_is_an_error(cli, site):
    deep_list = "\n".join("  " * n + f"- level {n}" for n in range(12))
    deep_quote = "> " * 22 + "deep"
    content = site(
        {
            "meetings/a.yaml": minutes("One.\nSee [this](javascript:alert(1)) now."),
            "meetings/b.yaml": minutes("Line one.\n\n![a chart](https://tracker.example/pixel.png)"),
            "meetings/c.yaml": minutes("Intro.\n\n" + deep_list),
            "meetings/d.yaml": minutes(deep_quote),
            "meetings/e.yaml": minutes("[" * 100_001),
            "meetings/f.yaml": minutes("\n".join(f"[r{n}]: https://example.org/{n}" for n in range(501))),
        }
    )
    result = cli("check", "--content", content)
    assert result.code == 1 and "Traceback" not in result.err
    assert 'meetings/a.yaml:8: a link to "javascript:" is not published' in result.err
    assert "meetings/b.yaml:9: an image from another site is not shown" in result.err
    assert "meetings/c.yaml:" in result.err and "nested too deep" in result.err
    assert "meetings/d.yaml:7: lists or quotes are nested too deep" in result.err
    assert "meetings/e.yaml:7: the text is 100,002 characters long; the limit is 100,000" in result.err
    assert "meetings/f.yaml:7: the text defines 501 link references; the limit is 500" in result.err


def test_a_broken_ref_link_is_reported_at_its_own_line(cli, site):
    content = site(
        {"meetings/a.yaml": minutes("First line of the paragraph,\nsecond,\nand [a link](ref:nowhere/x/1).")}
    )
    result = cli("check", "--content", content)
    assert 'meetings/a.yaml:9: link to "ref:nowhere/x/1": there is no such decision' in result.err


def test_a_ref_link_to_an_exempt_decision_is_an_error(cli, site):
    exempt = (
        "body: cabinet\ndate: 2011-11-16\nitems:\n  - id: land\n    title: Land\n    exempt: Paragraph 3\n"
        "    decisions:\n      - id: '1'\n        text: Sold.\n"
    )
    content = site({"meetings/x.yaml": exempt, "meetings/a.yaml": minutes("See [it](ref:x/land/1).")})
    result = cli("check", "--content", content)
    assert result.code == 1
    assert 'meetings/a.yaml:7: link to "ref:x/land/1": that decision is of an exempt item' in result.err


def test_comments_and_empty_list_items_are_not_shown(cli, site, tmp_path):
    content = site({"meetings/a.yaml": minutes("Kept.\n<!-- CLERK-NOTE: check the figure -->\n\n- one\n-\n- two")})
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    assert walk_for(out, [b"CLERK-NOTE", b"&lt;!--"]) == []
    html = page(out, "/meetings/a/a/")
    assert "<li>one</li>" in html and "<li></li>" not in html


def test_a_killed_build_leaves_no_workers_and_no_tracebacks(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    import synth

    content = tmp_path / "content"
    synth.generate(120, content)  # over 400 pages: rendered by forked workers
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sitegen", "build", "--content", str(content), "--output", str(out), "--no-search"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("read ")  # rendering has begun
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    started = time.monotonic()
    _, err = proc.communicate(timeout=30)  # returns once every worker holding the pipes has ended
    assert time.monotonic() - started < 10
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    again = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr  # not locked out by a worker of the killed build
    assert not list(tmp_path.glob(".out.tmp-*"))


def test_nothing_beside_the_output_is_touched_that_sitegen_did_not_make(cli, project, tmp_path):
    parent = tmp_path / "p"
    parent.mkdir()
    for name in (".site.old-2024", ".site.tmp-bak", ".site.trash-x", ".site.tmp-12345", ".site.old-999"):
        (parent / name).mkdir()
        (parent / name / "keep.txt").write_text(name)
    (parent / "other.txt").write_text("mine")
    before = fingerprint(parent)
    result = cli("build", "--content", project, "--output", parent / "site", "--no-search")
    assert result.code == 0, result.err
    after = fingerprint(parent)
    assert {k: v for k, v in after.items() if k in before} == before  # every file of the user's, as it was
    assert (parent / "site" / ".sitegen-output").is_file()
    # a second build replaces only its own site (the old one is removed in the background)
    assert cli("build", "--content", project, "--output", parent / "site", "--no-search").code == 0
    import re
    import time

    deadline = time.monotonic() + 10
    while any(re.fullmatch(r"\.site\.trash-\d+", p.name) for p in parent.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert {k: v for k, v in fingerprint(parent).items() if k in before} == before


@pytest.mark.parametrize("lock", ["notes", "link", "dangling"])
def test_a_lock_file_that_is_not_sitegens_is_refused(cli, project, tmp_path, lock):
    parent = tmp_path / "p"
    parent.mkdir()
    (tmp_path / "important.txt").write_text("important")
    if lock == "notes":
        (parent / ".site.lock").write_text("my notes")
    elif lock == "link":
        (parent / ".site.lock").symlink_to(tmp_path / "important.txt")
    else:
        (parent / ".site.lock").symlink_to(tmp_path / "created-by-sitegen.txt")
    before = fingerprint(tmp_path)
    result = cli("build", "--content", project, "--output", parent / "site", "--no-search")
    assert result.code == 1 and "is in the way" in result.err or "did not write" in result.err, result.err
    assert fingerprint(tmp_path) == before


def test_an_exempt_items_decision_settles_without_leaking(cli, site, tmp_path):
    """An exempt item's decision may settle a public recommendation: the outcome shows,
    linking to the exempt item's page (title and reason), and its note never appears."""
    cabinet = (
        "body: cabinet\ndate: 2024-01-10\nitems:\n  - id: parking\n    title: Parking\n    decisions:\n"
        "      - id: '1'\n        to: council\n        text: Council approves.\n"
    )
    council = (
        "body: council\ndate: 2024-02-07\nrecord: approved\nitems:\n  - id: land\n    title: Land\n"
        "    exempt: Paragraph 3 of Schedule 12A\n    decisions:\n      - id: '1'\n        text: SECRET-TEXT\n"
        "        decides:\n          - ref: 2024-01-10-cabinet/parking/1\n            outcome: rejected\n"
        "            note: SECRET-NOTE\n"
    )
    content = site({"meetings/2024-01-10-cabinet.yaml": cabinet, "meetings/2024-02-07-council.yaml": council})
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    assert walk_for(out, [b"SECRET-NOTE", b"SECRET-TEXT", b"land/#decision-1"]) == []
    html = page(out, "/meetings/2024-01-10-cabinet/parking/")
    assert "Rejected by Council on 7 February 2024" in html
    assert 'href="/meetings/2024-02-07-council/land/"' in html
    assert cli("check", "--output", out).code == 0  # no link to a #decision-1 that is not there


@pytest.mark.parametrize("value", ["", " ~", " # reason to follow"])
def test_an_empty_exempt_is_an_error_not_a_public_item(cli, site, value):
    text = f"body: cabinet\ndate: 2024-01-10\nitems:\n  - id: land\n    title: Land\n    exempt:{value}\n    minutes: SECRET\n"
    content = site({"meetings/m.yaml": text})
    result = cli("check", "--content", content)
    assert result.code == 1 and 'meetings/m.yaml:6: "exempt" is empty: give the reason' in result.err


def test_links_in_files_are_refused_and_exempt_files_stay_unpublished(cli, site, tmp_path):
    content = site({"meetings/2024/2024-01-10-cabinet.yaml": EXEMPT})
    (content / "files/2024").mkdir(parents=True)
    (content / "files/2024/exempt-report.pdf").write_bytes(b"%PDF CONFIDENTIAL")
    (content / "files/2024/budget.pdf").write_bytes(b"%PDF budget")
    (content / "files/2024/alias.pdf").symlink_to(content / "files/2024/exempt-report.pdf")
    (content / "files/.env").write_text("SECRET=1")
    (content / "files/2024/env.txt").symlink_to(content / "files/.env")
    result = cli("check", "--content", content)
    assert result.code == 1
    assert "files/2024/alias.pdf: files/2024/alias.pdf is a link, or not a file" in result.err
    assert "files/2024/env.txt: files/2024/env.txt is a link, or not a file" in result.err


def test_a_public_link_to_an_exempt_file_is_an_error(cli, site):
    meeting = EXEMPT.replace(
        "    title: Budget\n", "    title: Budget\n    minutes: See [the report](files/2024/exempt-report.pdf).\n"
    )
    content = site({"meetings/2024/2024-01-10-cabinet.yaml": meeting})
    (content / "files/2024").mkdir(parents=True)
    (content / "files/2024/exempt-report.pdf").write_bytes(b"%PDF")
    (content / "files/2024/budget.pdf").write_bytes(b"%PDF")
    result = cli("check", "--content", content)
    assert result.code == 1
    assert "a link to files/2024/exempt-report.pdf, a document only of an exempt item" in result.err


@pytest.mark.parametrize(
    "text",
    [
        "![x](https:&#x2F;&#x2F;evil.example/x.png)",
        "![x](&#104;ttps://evil.example/x.png)",
        "![a [b] c](https://evil.example/x.png)",
        "![x\\]](https://evil.example/x.png)",
        "![x\nsplit](https://evil.example/x.png)",
        "![x][r]\n\n[r]: https://evil.example/x.png",
        "![x][r]\n\n[r]: //evil.example/x.png",
        "![x](http:evil.example/x.png)",
    ],
)
def test_images_from_other_sites_are_refused_however_spelt(cli, site, tmp_path, text):
    content = site({"meetings/a.yaml": minutes(text)})
    result = cli("check", "--content", content)
    assert result.code == 1 and "an image from another site is not shown" in result.err, text


@pytest.mark.parametrize(
    "text",
    [
        "[x](jav&#x61;script:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "<javascript:alert(1)>",
        "[x](JavaScript&colon;alert(1))",
    ],
)
def test_script_links_are_refused_however_spelt(cli, site, text):
    content = site({"meetings/a.yaml": minutes(text)})
    result = cli("check", "--content", content)
    assert result.code == 1 and 'a link to "javascript:" is not published' in result.err, text


@pytest.mark.parametrize(
    "text, shown, hidden",
    [
        ("keep <!-- never closed KEEPME", "KEEPME", None),
        ("a <!--> KEEPME", "KEEPME", None),
        ("a <!---> KEEPME", "KEEPME", None),
        ("code `<!-- CODE -->` kept", "&lt;!-- CODE --&gt;", None),
        ("```\n<!-- FENCED -->\n```\nafter <!-- GONE --> end", "&lt;!-- FENCED --&gt;", "GONE"),
        ("one\n<!-- TWO\nLINES -->\nsame paragraph", "one\nsame paragraph", "LINES"),
    ],
)
def test_comments_hide_only_comments(cli, site, tmp_path, text, shown, hidden):
    content = site({"meetings/a.yaml": minutes(text)})
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    html = page(out, "/meetings/a/a/")
    assert shown in html
    if hidden:
        assert walk_for(out, [hidden.encode()]) == []


def test_links_in_prose_to_files_lead_to_the_file_from_any_page(cli, site, tmp_path):
    text = "See [the report](files/2011/report.pdf), [again](./files/2011/report.pdf#page=2).\n\n![chart](/files/2011/chart.png)"
    content = site(
        {
            "site.yaml": SITE.replace("meetings.test.example/", "meetings.test.example/council/"),
            "meetings/a.yaml": minutes(text),
        }
    )
    (content / "files/2011").mkdir(parents=True)
    (content / "files/2011/report.pdf").write_bytes(b"%PDF report")
    (content / "files/2011/chart.png").write_bytes(b"\x89PNG")
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    html = page(out, "/meetings/a/a/")
    assert 'href="/council/files/2011/report.pdf"' in html
    assert 'href="/council/files/2011/report.pdf#page=2"' in html
    assert 'src="/council/files/2011/chart.png"' in html
    assert (out / "files/2011/report.pdf").read_bytes() == b"%PDF report"


def test_a_link_in_prose_to_a_file_that_is_not_there_is_an_error(cli, site):
    content = site({"meetings/a.yaml": minutes("Intro.\n\nSee [the report](files/2011/reprot.pdf).")})
    (content / "files/2011").mkdir(parents=True)
    (content / "files/2011/report.pdf").write_bytes(b"%PDF")
    result = cli("check", "--content", content)
    assert result.code == 1
    assert (
        "meetings/a.yaml:9: a link to files/2011/reprot.pdf: there is no such file under the content folder, "
        'or it is not published (did you mean "report.pdf"?)'
    ) in result.err


def test_a_file_that_an_exempt_text_links_to_is_not_published(cli, site, tmp_path):
    meeting = EXEMPT.replace(
        "    minutes: The valuation was SECRET-VALUATION-TEXT.\n",
        "    minutes: The valuation is in [the note](files/2024/secret-note.pdf) and [the agenda](files/2024/budget.pdf).\n",
    )
    decision = (
        "date: 2024-02-01\ndecision_maker: cllr-a-khan\ntitle: Land\ntext: Sold.\n"
        "exempt: Paragraph 3\nreasons: |\n  See [the valuation](./files/2024/secret-valuation.pdf).\n"
        "source: https://moderngov.example/SECRET-DECISION-SOURCE\n"
    )
    meeting = meeting.replace(
        "    exempt: Paragraph 3 of Schedule 12A\n",
        "    exempt: Paragraph 3 of Schedule 12A\n    source: https://moderngov.example/SECRET-ITEM-SOURCE\n",
    )
    content = site({"meetings/2024/2024-01-10-cabinet.yaml": meeting, "decisions/2024-02-01-land.yaml": decision})
    (content / "files/2024").mkdir(parents=True)
    for name in ("exempt-report.pdf", "secret-note.pdf", "secret-valuation.pdf", "budget.pdf"):
        (content / "files/2024" / name).write_bytes(b"%PDF " + name.encode())
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    published = sorted(p.name for p in (out / "files/2024").iterdir())
    assert published == ["budget.pdf"]  # (linked from the exempt minutes too, but a public document)
    assert walk_for(out, [b"secret-note", b"secret-valuation", b"SECRET-DECISION-SOURCE", b"SECRET-ITEM-SOURCE"]) == []
    # a public text that links to one of them publishes it (a link there is a public record's)
    public = meeting.replace(
        "    title: Budget\n", "    title: Budget\n    minutes: See [it](files/2024/secret-note.pdf).\n"
    )
    (content / "meetings/2024/2024-01-10-cabinet.yaml").write_text(public)
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    assert (out / "files/2024/secret-note.pdf").exists() and not (out / "files/2024/secret-valuation.pdf").exists()


def test_a_meeting_file_replaced_by_a_link_outside_is_refused_with_a_build_state(cli, site, tmp_path):
    """A file moved outside and linked back keeps its time and size: the build state must
    not take it for the file it read last time."""
    content = site({"meetings/2011/2011-11-16-cabinet.yaml": MEETING})
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out, "--no-search").code == 0
    path = content / "meetings" / "2011" / "2011-11-16-cabinet.yaml"
    outside = tmp_path / "elsewhere" / "m.yaml"
    outside.parent.mkdir()
    os.rename(path, outside)
    path.symlink_to(outside)
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 1
    assert "meetings/2011/2011-11-16-cabinet.yaml:1: this file is a symbolic link to a file outside" in result.err


def test_file_links_are_read_as_markdown_reads_them(cli, site, tmp_path):
    """By reference, in angle brackets with a space, not in code: an exempt text's files are
    withheld however it links them; a file a public text links to too stays public."""
    exempt_minutes = (
        "    minutes: |\n      See [the note][n] and [r](<files/2024/secret report.pdf>), and [b](files/2024/budget-report.pdf).\n\n"
        "      [n]: files/2024/secret-note.pdf\n"
    )
    meeting = EXEMPT.replace("    minutes: The valuation was SECRET-VALUATION-TEXT.\n", exempt_minutes).replace(
        "    title: Budget\n",
        "    title: Budget\n    minutes: Clerks write `[title](files/YYYY/name.pdf)`; see [it](<files/2024/budget-report.pdf>).\n",
    )
    content = site({"meetings/2024/2024-01-10-cabinet.yaml": meeting})
    (content / "files/2024").mkdir(parents=True)
    for name in ("exempt-report.pdf", "secret-note.pdf", "secret report.pdf", "budget-report.pdf", "budget.pdf"):
        (content / "files/2024" / name).write_bytes(b"%PDF " + name.encode())
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (out / "files/2024").iterdir()) == ["budget-report.pdf", "budget.pdf"]
    # a missing file linked by reference, from a body's description, is an error at its line
    bodies = "- id: cabinet\n  name: Cabinet\n  kind: executive\n  description: |\n    Its [terms][t].\n\n    [t]: files/2024/terms.pdf\n"
    (content / "bodies.yaml").write_text(bodies)
    result = cli("check", "--content", content)
    assert result.code == 1 and "bodies.yaml:1: a link to files/2024/terms.pdf: there is no such file" in result.err


def test_editors_own_files_in_files_are_left_out_without_a_word(cli, site, tmp_path):
    content = site({"meetings/2011/2011-11-16-cabinet.yaml": MEETING, "meetings/2011/.#2011-11-16-cabinet.yaml": "x"})
    (content / "files/2024").mkdir(parents=True)
    for name in ("report.pdf", "report.pdf~", "notes.tmp", ".report.pdf.swp", "~$minutes.docx", "#draft.pdf#"):
        (content / "files/2024" / name).write_bytes(b"%PDF")
    out = tmp_path / "out"
    result = cli("build", "--content", content, "--output", out, "--no-search")
    assert result.code == 0 and "warning" not in result.err, result.err
    assert sorted(p.name for p in (out / "files/2024").iterdir()) == ["report.pdf"]


def test_the_preview_sees_a_linked_folder_come_and_go(tmp_path):
    from sitegen.files import snapshot

    (tmp_path / "files").mkdir()
    (tmp_path / "elsewhere").mkdir()
    before = snapshot([tmp_path / "files"])
    (tmp_path / "files" / "linked").symlink_to(tmp_path / "elsewhere")
    assert snapshot([tmp_path / "files"]) != before  # (a change: the reader refuses it, and the preview says so)
