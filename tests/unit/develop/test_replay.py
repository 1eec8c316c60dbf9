"""The replay record (ferrule.develop.replay): what a full run records of the files it
decided on, packed, and what the next run's check says of them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from ferrule import _store
from ferrule.develop import replay
from ferrule.develop.path_log import PathLog
from ferrule.wheel import stamp
from ferrule.wheel.manifest import Entry
from ferrule.wheel.stamp import WheelStamp


def _recorded(environ: dict[str, str], command: list[str]) -> dict[str, object]:
    store = _store.open_store(environ)
    assert store is not None
    data = store.get("build", replay._ident(command, Path.cwd()), any_key=True)
    assert data is not None
    return data


def test_recorders_share_one_audit_hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Audit hooks stay for the life of the process and run on every event: recorders
    must not add one each (a test session starts hundreds)."""
    added: list[object] = []
    real = sys.addaudithook

    def counting(hook: Any) -> None:
        added.append(hook)
        real(hook)

    monkeypatch.setattr(sys, "addaudithook", counting)
    files = [tmp_path / f"f{i}.txt" for i in range(3)]
    for path in files:
        path.write_text("x")
    recorders = []
    for path in files:
        recorder = replay.Recorder().start()
        try:
            path.read_bytes()
        finally:
            recorder.stop()
        recorders.append(recorder)
    assert len(added) <= 1  # none when an earlier test installed it
    # Each recorded what it saw while it ran, and nothing after it stopped.
    for i, recorder in enumerate(recorders):
        assert [str(p) in recorder.paths for p in files] == [j == i for j in range(3)]


def test_the_files_a_wheel_stamp_decides_on_are_recorded_unopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full run that finds its wheel current (the stamp: the project's files by their
    state, none opened) still records those files: an edit must end the next replay."""
    source = tmp_path / "pkg" / "a.py"
    source.parent.mkdir()
    source.write_text("X = 1\n")
    monkeypatch.setattr(stamp, "_RACY_NS", -(10**9))  # not racy: keyed by its state, unread
    recorder = replay.Recorder().start()
    try:
        entry = Entry("pkg/a.py", source=str(source), project_file=True)
        WheelStamp(tmp_path / "w.whl", [entry], {"FERRULE_NO_CACHE": "1"})
    finally:
        recorder.stop()
    assert str(source) in recorder.paths


def test_file_states_are_packed_and_checked_by_the_next_run(tmp_path: Path) -> None:
    environ = {"FERRULE_CACHE_DIR": str(tmp_path / "cache")}
    command = ["build", "--test"]
    kept, edited = tmp_path / "kept.py", tmp_path / "edited.py"
    kept.write_text("a")
    edited.write_text("b")

    session = replay.Session("build", command, environ)
    with session:
        kept.read_bytes()
        edited.read_bytes()
        # Edited by someone else (what the run writes itself is recorded as it ends).
        subprocess.run(["sh", "-c", f"echo more >> '{edited}'"], check=True)
    session.record([tmp_path / "absent.toml"], None, {}, None, None, "done")
    data = _recorded(environ, command)
    # The files are a blob the record names (megabytes for a large project, issue 22).
    store = _store.open_store(environ)
    assert store is not None and isinstance(data["files"], str)
    listing = store.blob(data["files"])
    assert listing is not None
    assert [path for path, _ in replay._read_files(listing)] == [
        str(kept),
        str(edited),
        str(tmp_path / "absent.toml"),
    ]
    # Recorded as it was when read: the next run finds it changed.
    assert replay._check(data, command, Path.cwd(), environ) == f"{edited} changed"

    session = replay.Session("build", command, environ)
    with session:
        kept.read_bytes()
        edited.read_bytes()
    session.record([tmp_path / "absent.toml"], None, {}, None, None, "done")
    data = _recorded(environ, command)
    assert replay._check(data, command, Path.cwd(), environ) is None
    (tmp_path / "absent.toml").write_text("")
    assert (
        replay._check(data, command, Path.cwd(), environ) == f"{tmp_path / 'absent.toml'} changed"
    )
    (tmp_path / "absent.toml").unlink()
    kept.write_text("a, edited after the run")
    assert replay._check(data, command, Path.cwd(), environ) == f"{kept} changed"


def test_the_file_list_keeps_every_name(tmp_path: Path) -> None:
    """Names the list's own shorthand could mistake: one starting with the relative
    marker after a sibling, undecodable bytes, a relative path, another directory (a
    lone surrogate, legal on Windows only, is in test_path_log)."""
    import io

    names = [
        "/p/a.py",
        "/p/" + replay._RELATIVE + "b.py",
        "/p/d\udcff.py",
        "/q/e.py",
        "relative.py",
    ]
    out = io.BytesIO()
    replay._write_files(out, [Path(n) for n in names], None)
    assert [path for path, _ in replay._read_files(out.getvalue())] == sorted(names)
    # The recorder's paths come in the order read: there the marked name follows its sibling.
    log = PathLog(replay._STATE.size)
    for name in names[:-1]:
        log.add(name, replay._MISSING)
    out = io.BytesIO()
    replay._write_files(out, [], SimpleNamespace(paths=log, written=set()))  # type: ignore[arg-type]
    assert [path for path, _ in replay._read_files(out.getvalue())] == names[:-1]


@pytest.mark.parametrize("switch", ["FERRULE_NO_CACHE", "FERRULE_NO_REPLAY"])
def test_a_run_with_nowhere_to_keep_a_record_collects_nothing(tmp_path: Path, switch: str) -> None:
    """No record can be kept: the files the run reads are not collected (50,000 project
    files would cost megabytes, issue 22)."""
    read = tmp_path / "read.py"
    read.write_text("a")
    environ = {"FERRULE_CACHE_DIR": str(tmp_path / "cache"), switch: "1"}
    session = replay.Session("build", ["build", "--test"], environ)
    with session:
        read.read_bytes()
    assert session.paths == []
    with replay.Session("build", ["build", "--test"], {**environ, switch: ""}) as session:
        read.read_bytes()
    assert str(read) in session.paths


def test_reads_a_stamp_declared_are_not_looked_up_again(tmp_path: Path) -> None:
    """While a wheel is written from the entries its stamp announced (each one already
    recorded with its state), the recorder skips the reads; writes still count."""
    declared, after, output = tmp_path / "declared.py", tmp_path / "after.py", tmp_path / "out"
    declared.write_text("a")
    after.write_text("b")
    recorder = replay.Recorder().start()
    try:
        with stamp.declared_reads():
            declared.read_bytes()
            output.write_bytes(b"w")
        after.read_bytes()
    finally:
        recorder.stop()
    assert str(declared) not in recorder.paths and str(after) in recorder.paths
    assert str(output) in recorder.written
