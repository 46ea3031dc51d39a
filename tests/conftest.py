"""Fixtures: small content folders written into temporary folders, and the CLI."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "content"
TODAY = "2026-11-27"

SITE = """\
authority: Testshire Council
title: Testshire Council meetings
base_url: https://meetings.test.example/
language: en-GB
timezone: Europe/London
licence: Open Government Licence v3.0
"""

BODIES = """\
- id: council
  name: Council
  kind: council
- id: cabinet
  name: Cabinet
  kind: executive
  reports_to: council
- id: audit
  name: Audit Committee
  kind: committee
  reports_to: council
"""

PEOPLE = """\
- id: leader
  name: Councillor Lee Leader
  role: member
  party: Independent
- id: cllr-a-khan
  name: Councillor Amina Khan
  role: member
- id: chief-executive
  name: Chief Executive
  role: officer
"""


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGEN_TODAY", TODAY)


def write_site(root: Path, files: dict[str, str], base: bool = True) -> Path:
    """Write a content folder: the base site (site, bodies, people) plus FILES."""
    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    everything = {"site.yaml": SITE, "bodies.yaml": BODIES, "people.yaml": PEOPLE} if base else {}
    everything.update(files)
    for rel, text in everything.items():
        if text is None:
            continue
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
    return content


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line and not line[0].isdigit()]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    def run(*args: str | os.PathLike) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def site(tmp_path: Path):
    """Write a site and return its content folder."""

    def make(files: dict[str, str], base: bool = True) -> Path:
        return write_site(tmp_path, files, base)

    return make


@pytest.fixture(scope="session")
def example_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site, built once for the session."""
    os.environ["SITEGEN_TODAY"] = TODAY
    out = tmp_path_factory.mktemp("example") / "output"
    assert main(["build", "--content", str(EXAMPLE), "--output", str(out), "--no-cache"]) == 0
    return out


def page(output: Path, address: str) -> str:
    rel = address.strip("/")
    path = output / rel if rel.endswith(".html") else output / rel / "index.html"
    return path.read_text(encoding="utf-8")


def fake_pagefind(dest: Path, main: str) -> Path:
    """A stand-in for Pagefind (`python -m pagefind` running MAIN), under DEST/fake: the
    folder to put on PYTHONPATH."""
    package = dest / "fake" / "pagefind"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(main)
    return package.parent


def copy_example(dest: Path) -> Path:
    shutil.copytree(EXAMPLE, dest / "content")
    return dest / "content"
