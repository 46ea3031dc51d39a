"""The open data (data/record.json, data/decisions.csv) put together from each meeting's
parts: a build that keeps its state makes again only the parts whose reads changed, and
writes byte for byte what a clean build writes."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, copy_example
from test_cli import snapshot
from test_incremental import CABINET, _toggle

from sitegen import state
from sitegen.build import build
from sitegen.publish import Publisher

TODAY = "2026-12-06"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("SITEGEN_TODAY", TODAY)


@pytest.fixture
def made(monkeypatch) -> list[str]:
    """The parts made, in this process (builds on one process): each meeting's id."""
    calls: list[str] = []
    record_part, csv_part = Publisher.record_part, Publisher.csv_part

    def counted_record(self, meeting):  # type: ignore[no-untyped-def]
        calls.append(f"record {meeting.id}")
        return record_part(self, meeting)

    def counted_csv(self, public):  # type: ignore[no-untyped-def]
        calls.append(f"csv {public[0].item.meeting.id}")
        return csv_part(self, public)

    monkeypatch.setattr(Publisher, "record_part", counted_record)
    monkeypatch.setattr(Publisher, "csv_part", counted_csv)
    return calls


def kept_build(content: Path, out: Path, jobs: int = 1):  # type: ignore[no-untyped-def]
    return build(content, out, base_path="/", search=False, jobs=jobs, state_folder=state.cache_folder(content))


def same_as_clean(content: Path, out: Path, tmp: Path, n: int) -> None:
    clean = tmp / f"clean-{n}"
    build(content, clean, base_path="/", search=False)
    assert snapshot(out) == snapshot(clean), f"after edit {n}"


def _synthetic(tmp_path: Path, meetings: int = 60) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    import synth

    content = tmp_path / "content"
    synth.generate(meetings, content, executive=True)
    return content


def test_an_edit_makes_again_only_the_parts_of_what_it_reaches(tmp_path, made):
    content = _synthetic(tmp_path)
    out = tmp_path / "out"
    kept_build(content, out)
    every = len(made)
    assert every > 60  # (each meeting's entry, and the rows of those with public decisions)
    made.clear()
    assert kept_build(content, out).rendered == 0
    assert made == []  # nothing changed: every part as kept
    path = sorted((content / "meetings").rglob("*.md"))[20]
    text = path.read_text()
    assert "\nlocation: " in text
    path.write_text(text.replace("\nlocation: ", "\nlocation: Annexe, ", 1))
    kept_build(content, out)
    assert [call.split()[0] for call in made] == ["record"], made  # (a place is not in the decisions' rows)
    assert "Annexe, " in (out / "data" / "record.json").read_text()
    same_as_clean(content, out, tmp_path, 1)


@pytest.mark.parametrize("jobs", [1, 2])
def test_edits_and_deletions_between_builds_match_clean_builds(tmp_path, monkeypatch, jobs):
    """On the route a large site takes too (JOBS 2: the parts made by forked renderers)."""
    import sitegen.build

    monkeypatch.setattr(sitegen.build, "PARALLEL_FROM", 2)
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    kept_build(content, out, jobs)
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    kept_build(content, out, jobs)
    same_as_clean(content, out, tmp_path, 1)
    meetings = sorted((content / "meetings").rglob("*.md"))
    gone = meetings[-1]  # (the newest: none refers to it)
    gone.rename(tmp_path / gone.name)  # a meeting gone: its parts with it
    kept_build(content, out, jobs)
    same_as_clean(content, out, tmp_path, 2)
    (tmp_path / gone.name).rename(gone)  # and back
    kept_build(content, out, jobs)
    same_as_clean(content, out, tmp_path, 3)


def test_open_data_changed_in_place_in_the_output_is_made_again_whole(tmp_path, made):
    """The parts are kept in the published file itself (a hard link): one edited in place
    is found changed, and every part of it is made again."""
    content = _synthetic(tmp_path, 20)
    out = tmp_path / "out"
    kept_build(content, out)
    every = sorted(made)
    made.clear()
    record = out / "data" / "record.json"
    with open(record, "r+b") as handle:
        handle.seek(record.stat().st_size // 2)
        handle.write(b"edited by hand")
    kept_build(content, out)
    assert sorted(made) == [call for call in every if call.startswith("record")]  # (its own parts: not the CSV's)
    same_as_clean(content, out, tmp_path, 1)


def test_parts_kept_by_a_build_whose_state_was_not_kept_are_not_used(tmp_path, monkeypatch):
    """A build killed after it kept the parts but before the state: the state left is an
    older one, and an edit made and undone since would otherwise take the edited part."""
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    kept_build(content, out)
    kept_build(content, out)  # (so that the next state is kept as a delta of this one)
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")

    def killed(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OSError("killed")

    with monkeypatch.context() as patched:
        patched.setattr(state.Cache, "save", killed)
        kept_build(content, out)
    assert "warmly" in (out / "data" / "record.json").read_text()
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")  # undone
    kept_build(content, out)
    assert "warmly" not in (out / "data" / "record.json").read_text()
    same_as_clean(content, out, tmp_path, 1)


def test_a_build_keeping_its_state_writes_the_open_data_a_build_without_it_writes(tmp_path):
    content = copy_example(tmp_path)
    kept_build(content, tmp_path / "kept")
    build(content, tmp_path / "clean", base_path="/", search=False)
    for name in ("record.json", "decisions.csv"):
        assert (tmp_path / "kept" / "data" / name).read_bytes() == (tmp_path / "clean" / "data" / name).read_bytes()
    assert not any("#" in p.name for p in (tmp_path / "kept").rglob("*"))  # (no part is written alone)


def _kept_parts(content: Path) -> tuple[Path, Path]:
    """The index of the parts kept and the first file kept (see state.Parts)."""
    (index,) = state.cache_folder(content).glob("parts-*.pickle")
    return index, index.with_name(index.name.replace(".pickle", "-0"))


def test_a_link_put_where_the_parts_are_kept_is_never_written_through(tmp_path):
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    kept_build(content, out)
    index, first = _kept_parts(content)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in (f".{first.name}.tmp-{os.getpid()}", f".{index.name}.tmp-{os.getpid()}"):
        (first.parent / name).symlink_to(victim)
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    kept_build(content, out)
    assert victim.read_text() == "precious"
    assert not first.is_symlink() and not index.is_symlink()
    same_as_clean(content, out, tmp_path, 1)


@pytest.mark.parametrize("which", ["parts", "state"])
def test_a_named_pipe_where_the_parts_or_the_state_are_kept_does_not_stop_the_build(tmp_path, which):
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    kept_build(content, out)
    _, first = _kept_parts(content)
    if which == "state":
        (first,) = first.parent.glob("state-*.pickle")
    first.unlink()
    os.mkfifo(first)
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    command = [sys.executable, "-m", "sitegen", "build", "--no-search", "--content", str(content), "--output", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    same_as_clean(content, out, tmp_path, 1)


@pytest.mark.parametrize("place", [("a", "b"), (0, 1 << 62), (-5, 3)])
def test_an_index_of_parts_not_as_sitegen_keeps_it_gives_the_parts_made_again(tmp_path, place):
    content = copy_example(tmp_path)
    out = tmp_path / "out"
    kept_build(content, out)
    index, _ = _kept_parts(content)
    with open(index, "rb") as handle:
        version, token, kept = pickle.load(handle)
    for *_, where in kept.values():
        for part in where:
            where[part] = place
    with open(index, "wb") as handle:
        pickle.dump((version, token, kept), handle)
    _toggle(content, CABINET, "The Leader invited", "The Leader warmly invited")
    kept_build(content, out)
    same_as_clean(content, out, tmp_path, 1)
