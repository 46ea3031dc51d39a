"""Hostile and broken input: exact errors and no traceback, no injection, no data
lost, nothing leaked; property tests over generated content."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import BODIES, PEOPLE, ROOT, SITE, write_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli import snapshot

from sitegen.build import build, load
from sitegen.errors import ContentError
from sitegen.linkcheck import check_site
from sitegen.write import output_lock

CORPUS = ROOT / "tests" / "corpus"
EXPECTED = dict(
    line.split(": ", 1) for line in (CORPUS / "expected.txt").read_text(encoding="utf-8").splitlines() if line
)


def checked(cli, content: Path):  # type: ignore[no-untyped-def]
    result = cli("check", "--content", content)
    assert "Traceback" not in result.err
    return result


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus(cli, site, name):
    content = site({"people.yaml": PEOPLE + "- id: cllr-sian\n  name: Cynghorydd Siân Llŷr\n  role: member\n"})
    (content / "meetings").mkdir()
    shutil.copy(CORPUS / name, content / "meetings" / name)
    started = time.monotonic()
    result = checked(cli, content)
    elapsed = time.monotonic() - started
    expected = EXPECTED[name]
    if expected == "ok":
        assert result.code == 0, result.err
    else:
        assert result.code == 1
        assert expected in result.err.splitlines(), result.err
    assert elapsed < 30  # a guard against hangs, not a speed target


def test_welsh_and_other_scripts_build(cli, site, tmp_path):
    content = site({"people.yaml": PEOPLE + "- id: cllr-sian\n  name: Cynghorydd Siân Llŷr\n  role: member\n"})
    (content / "meetings").mkdir()
    shutil.copy(CORPUS / "welsh.md", content / "meetings" / "welsh.md")
    assert cli("build", "--no-search", "--content", content, "--output", tmp_path / "out").code == 0
    html = (tmp_path / "out/meetings/welsh/cyllideb/index.html").read_text(encoding="utf-8")
    assert "Siân Llŷr" in html and "Ołeńka, 東京" in html and "Cyllideb 2012/13 – ymgynghoriad" in html


def test_not_utf8_names_the_byte_offset(cli, site):
    content = site({})
    (content / "meetings").mkdir()
    (content / "meetings/m.yaml").write_bytes(b"body: cabinet\ndate: 2011-11-16\nlocation: Caf\xe9 Royal\n")
    result = checked(cli, content)
    assert "meetings/m.yaml:3: the file is not UTF-8 text (byte offset 44: 0xe9); save it as UTF-8" in result.err


def test_byte_order_mark_and_crlf_simply_work(cli, site, tmp_path):
    content = site({})
    (content / "meetings").mkdir()
    text = "---\r\nbody: cabinet\r\ndate: 2011-11-16\r\nstart: 18:30\r\nitems:\r\n  - id: a\r\n    title: A\r\n---\r\nNotes.\r\n"
    (content / "meetings/m.md").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (content / "bodies.yaml").write_bytes(b"\xef\xbb\xbf" + BODIES.replace("\n", "\r\n").encode())
    result = cli("build", "--no-search", "--content", content, "--output", tmp_path / "out")
    assert result.code == 0, result.err
    assert "6.30pm" in (tmp_path / "out/meetings/m/index.html").read_text()


def test_fifty_megabyte_file_is_refused_quickly(cli, site):
    content = site({})
    (content / "meetings").mkdir()
    with open(content / "meetings/huge.yaml", "wb") as handle:
        handle.write(b"body: cabinet\ndate: 2011-11-16\nnotes: |\n")
        line = b"  " + b"x" * 1022 + b"\n"
        handle.write(line * (50 * 1024))
    result = checked(cli, content)
    assert (
        "meetings/huge.yaml:1: file is 50.0 MB; the limit is 10 MB (put long documents under files/ and link them)"
        in result.err
    )


def test_symlinks_leading_out_are_refused_and_never_copied(cli, site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    content = site(
        {
            "meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\ndocuments:\n  - title: Report\n    href: files/report.pdf\n",
        }
    )
    (content / "files").mkdir()
    (content / "files/report.pdf").symlink_to(secret)
    (content / "files/folder").symlink_to(tmp_path)
    result = checked(cli, content)
    assert result.code == 1
    assert (
        'meetings/m.yaml:5: href "files/report.pdf" leads outside the files/ folder; it is not published' in result.err
    )
    assert "files/report.pdf: files/report.pdf is a link to something outside files/; it is not published" in result.err
    assert "files/folder: files/folder is a link to something outside files/; links are not published" in result.err
    out = tmp_path / "out"
    assert cli("build", "--content", content, "--output", out).code == 1
    assert not out.exists()


PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[click](javascript:alert(3))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==)",
    "{{ 7*191 }}",
    "{% if true %}TEMPLATED{% endif %}",
    '" onmouseover="alert(5)',
    "<a href='javascript:alert(6)'>x</a>",
]
P = " ".join(PAYLOADS)


class Sweep(HTMLParser):
    def __init__(self, where: str) -> None:
        super().__init__(convert_charrefs=True)
        self.where = where
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/"):
            self.problems.append(f"{self.where}: a script that is not one of the site's files")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{self.where}: event handler attribute {name}")
            if name in ("href", "src", "action", "formaction") and value:
                if value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{self.where}: {name}={value}")


def sweep_html(text: str, where: str) -> list[str]:
    parser = Sweep(where)
    parser.feed(text)
    return parser.problems


@pytest.mark.parametrize("payload", [P, " ".join(x for x in PAYLOADS if "](" not in x)])
def test_no_injection_in_any_output_file(tmp_path, payload):
    """Every hostile text is escaped, in every output file; Markdown links that would run
    script are refused, each at its line (the rest of the payloads build)."""
    P = payload
    y = json.dumps  # a YAML-safe way to write any string
    content = write_site(
        tmp_path,
        {
            "site.yaml": f"authority: {y(P)}\ntitle: {y(P)}\nbase_url: https://meetings.test.example/\nlicence: {y(P)}\n",
            "bodies.yaml": f"- id: cabinet\n  name: {y(P)}\n  kind: executive\n  description: {y(P)}\n"
            f"- id: council\n  name: {y('Council ' + P)}\n  kind: council\n",
            "people.yaml": f"- id: leader\n  name: {y(P)}\n  role: member\n  party: {y(P)}\n  ward: {y(P)}\n",
            "issues.yaml": f"- id: matter\n  title: {y(P)}\n  summary: {y(P)}\n",
            "meetings/2011-11-16-cabinet.yaml": f"""body: cabinet
date: 2011-11-16
start: 18:30
location: {y(P)}
chair: leader
present: [leader]
notes: {y(P)}
documents:
  - title: {y(P)}
    href: https://example.org/report.pdf
items:
  - id: a
    number: {y(P)}
    title: {y(P)}
    report: {y(P)}
    issue: matter
    minutes: {y(P)}
    interests:
      - person: leader
        interest: {y(P)}
    amendments:
      - id: a1
        moved_by: leader
        text: {y(P)}
        result: carried
    votes:
      - on: "1"
        for: [leader]
    decisions:
      - id: "1"
        type: recommendation
        to: council
        text: {y(P)}
""",
            "meetings/2011-12-07-council.yaml": f"""body: council
date: 2011-12-07
items:
  - id: b
    title: {y(P)}
    decisions:
      - id: "1"
        text: {y(P)}
        decides:
          - ref: 2011-11-16-cabinet/a/1
            outcome: amended
            note: {y(P)}
""",
        },
        base=False,
    )
    out = tmp_path / "out"
    if "](" in P:
        with pytest.raises(ContentError) as refused:
            build(content, out)
        assert 'meetings/2011-11-16-cabinet.yaml:7: a link to "javascript:" is not published' in str(refused.value)
        assert 'bodies.yaml:1: a link to "data:" is not published' in str(refused.value)
        assert not out.exists()
        return
    build(content, out)
    problems: list[str] = []
    swept = 0
    for path in sorted(out.rglob("*")):
        if not path.is_file() or "pagefind" in path.parts:
            continue
        rel = path.relative_to(out).as_posix()
        data = path.read_bytes()
        text = data.decode("utf-8", errors="replace").replace("\r\n ", "")  # unfold iCalendar lines
        swept += 1
        assert "1337" not in text, f"template syntax was evaluated in {rel}"
        assert "TEMPLATED" not in text.replace("{% if true %}TEMPLATED{% endif %}", ""), rel
        if path.suffix == ".html":
            problems += sweep_html(text, rel)
        elif path.suffix in (".atom", ".xml"):
            root = ET.fromstring(data)
            for element in root.iter():
                assert not element.tag.endswith("script"), rel
                if element.get("type") == "html" and element.text:
                    problems += sweep_html(element.text, rel)
        elif path.suffix == ".json":
            assert "<" not in text and ">" not in text, rel
            json.loads(text)
        elif path.suffix == ".csv":
            for line in text.splitlines():
                for cell in line.split(","):
                    assert not cell.startswith(("=", "+", "@")), (rel, cell)
    assert not problems, "\n".join(problems)
    assert swept > 20
    item = (out / "meetings/2011-11-16-cabinet/a/index.html").read_text()
    assert "{{ 7*191 }}" in item and "&lt;script&gt;alert(1)&lt;/script&gt;" in item


# --- property tests -------------------------------------------------------------

scalars = st.one_of(
    st.text(max_size=20),
    st.integers(),
    st.booleans(),
    st.none(),
    st.dates().map(str),
    st.sampled_from(["18:30", "on", "no", "~"]),
)
yaml_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
meeting_keys = st.sampled_from(
    ["body", "date", "items", "status", "record", "start", "present", "documents", "id", "title", "decisions"]
)
meeting_like = st.dictionaries(meeting_keys, yaml_values, max_size=6)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(st.text(max_size=300), meeting_like.map(lambda d: __import__("yaml").safe_dump(d, allow_unicode=True)))
)
def test_loader_returns_a_model_or_a_content_error(text):
    with tempfile.TemporaryDirectory() as tmp:
        content = write_site(Path(tmp), {"meetings/m.yaml": text})
        try:
            load(content)
        except ContentError as exc:  # every problem is in the meeting file, at a line of it
            # lines as the reader counts them (CR and CRLF end lines; YAML also ends them at U+2028 and U+2029)
            lines = len(re.split("\r\n|[\r\n\u2028\u2029]", text))
            assert exc.problems
            for problem in exc.problems:
                assert problem.location.path == "meetings/m.yaml", problem
                assert 1 <= problem.location.line <= lines, (problem, text)
                assert str(problem).startswith(f"meetings/m.yaml:{problem.location.line}: "), problem


@st.composite
def councils(draw):  # type: ignore[no-untyped-def]
    """A valid small site: meetings in date order; later meetings decide earlier recommendations."""
    count = draw(st.integers(1, 5))
    start = dt.date(2011, 1, 3)
    files: dict[str, str] = {}
    open_recs: list[tuple[str, str]] = []  # (ref, to)
    for n in range(count):
        date = start + dt.timedelta(days=7 * n + draw(st.integers(0, 5)))
        body = draw(st.sampled_from(["council", "cabinet", "audit"]))
        mid = f"{date.isoformat()}-{body}"
        items = []
        for i in range(draw(st.integers(0, 3))):
            decisions = []
            for d in range(1, draw(st.integers(1, 3)) + 1):
                # any characters that need escaping, but no Markdown link ("[a](b)"): a clerk's
                # link to a page that does not exist is the clerk's broken link, not the build's
                text = draw(st.text(alphabet="abc <>&\"'{}%#*_[]()", min_size=1, max_size=30)).strip() or "x"
                text = text.replace("](", "] (")
                entry = f'      - id: "{d}"\n        text: {json.dumps(text)}\n'
                mine = [r for r in open_recs if r[1] == body and not r[0].startswith(mid + "/")]
                if mine and draw(st.booleans()):
                    ref, _ = mine[0]
                    outcome = draw(st.sampled_from(["approved", "deferred", "referred-back", "noted", "rejected"]))
                    entry += f"        decides:\n          - ref: {ref}\n            outcome: {outcome}\n"
                    if outcome not in ("deferred", "referred-back"):
                        open_recs.remove(mine[0])
                elif draw(st.booleans()):
                    to = draw(st.sampled_from([b for b in ("council", "cabinet", "audit") if b != body]))
                    entry = entry.replace(
                        "        text:", f"        type: recommendation\n        to: {to}\n        text:"
                    )
                    open_recs.append((f"{mid}/item-{i}/{d}", to))
                decisions.append(entry)
            items.append(f"  - id: item-{i}\n    title: Item {i}\n    decisions:\n" + "".join(decisions))
        status = draw(st.sampled_from(["held", "cancelled", "adjourned"]))
        files[f"meetings/{mid}.yaml"] = f"body: {body}\ndate: {date}\nstatus: {status}\nitems:\n" + "".join(items)
        if not items:
            files[f"meetings/{mid}.yaml"] = f"body: {body}\ndate: {date}\nstatus: {status}\n"
    return files


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(councils())
def test_valid_content_builds_reproducibly_with_no_broken_links(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        content = write_site(root, files)
        build(content, root / "a", search=False)
        build(content, root / "b", search=False)
        assert snapshot(root / "a") == snapshot(root / "b")
        checked_pages, broken = check_site(root / "a")
        assert checked_pages > 5
        assert not broken, [str(b) for b in broken]


# --- no data lost --------------------------------------------------------------


def tree_state(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_build_killed_at_any_moment_leaves_a_complete_site(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    import synth

    content = tmp_path / "content"
    synth.generate(120, content, seed=7)
    out = tmp_path / "out"
    build(content, out, search=False)
    before = snapshot(out)
    pristine = tmp_path / "pristine"
    shutil.copytree(out, pristine)
    meeting = sorted((content / "meetings").rglob("*.md"))[5]
    meeting.write_text(meeting.read_text().replace("location: Council Chamber", "location: Room 101"))
    build(content, tmp_path / "after", search=False)
    after = snapshot(tmp_path / "after")
    assert after != before
    env = dict(os.environ)
    seen = set()
    for delay in (0.05, 0.3, 0.8, 1.5, 2.5, 4.0):
        shutil.rmtree(out)
        shutil.copytree(pristine, out)
        proc = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "build", "--no-search", "--content", str(content), "--output", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = snapshot(out)
        assert now in (before, after), f"killed after {delay}s: the output is neither the old nor the new site"
        seen.add("old" if now == before else "new")
    assert "old" in seen  # at least one kill landed mid-build


def test_second_build_at_once_is_refused_with_a_clear_message(site, tmp_path):
    content = site({"meetings/m.yaml": "body: cabinet\ndate: 2011-11-16\n"})
    out = tmp_path / "out"
    with output_lock(out):
        result = subprocess.run(
            [sys.executable, "-m", "sitegen", "build", "--no-search", "--content", str(content), "--output", str(out)],
            capture_output=True,
            text=True,
        )
    assert result.returncode == 1
    assert f"sitegen: another build is writing {out} (process {os.getpid()}); wait for it to finish" in result.stderr
    assert not out.exists()


def test_content_is_never_written_by_build_check_or_serve(cli, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    before = tree_state(content)
    assert cli("check", "--content", content).code == 0
    assert cli("build", "--no-search", "--content", content, "--output", tmp_path / "out").code == 0
    from test_serve import fetch, free_port, wait_for

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--content", str(content), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    try:
        wait_for(lambda: _up(fetch, port), 60)
    finally:
        proc.terminate()
        proc.wait(10)
    assert tree_state(content) == before
    assert SITE  # the fixtures' own site is untouched too


def _up(fetch, port):  # type: ignore[no-untyped-def]
    try:
        return fetch(f"http://127.0.0.1:{port}/meetings/")[0] == 200
    except OSError:
        return False
