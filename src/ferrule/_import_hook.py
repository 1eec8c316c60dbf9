"""Rebuild on import: the stdlib-only hook that ferrule copies into an environment.

``ferrule develop --rebuild-on-import`` (or ``rebuild-on-import = true`` in
``[tool.ferrule]``) installs this file as ``_ferrule_rebuild_<dist>.py`` and a
``.pth`` line that calls :func:`activate`. The first time a process imports the
package, the hook compares a *stamp* written by ferrule after the last build
with the present state:

- the size, mtime and ctime of every file cargo's dep-info and build-script
  output name (plus the manifests, ``Cargo.lock``, ``pyproject.toml`` and cargo
  config files); the ctime catches a rewrite that puts size and mtime back, and a
  file changed while the build ran is recorded as changed (``?``);
- the environment variables the build reads (``CARGO_*``, ``RUSTFLAGS``,
  ``PYO3_*``, every ``rerun-if-env-changed`` and ``env!`` name), by length and CRC;
- the interpreter, and the installed extension module.

That costs one small file read and a ``stat()`` per watched file. Only when
something differs does it run ``ferrule develop`` with the options of the
original install (a release build stays a release build), with the ferrule that
made the install, under a file lock so parallel workers (pytest-xdist) build
once. cargo decides what actually needs compiling; the stamp is rewritten after
every develop, so an edit that changes no output (a comment in ``Cargo.toml``)
costs one cargo no-op and never a rebuild loop. A failed build raises
:class:`RebuildError` carrying the compiler's messages, never a bare ImportError.

``FERRULE_REBUILD_ON_IMPORT=0`` (or ``false``/``no``/``off``) turns the hook off.
``FERRULE_NO_CACHE=1`` turns its fast path off: the stamp is never trusted, so
every first import in a process runs ``ferrule develop``.

This module must stay importable on every Python ferrule supports, with the
standard library only, and cheap: it is imported by every interpreter start-up
in the environment (the ``.pth`` line), so nothing slow happens before the
watched package is imported. ``json`` (which pulls in ``re``) is imported only
to rebuild.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not ``typing.TYPE_CHECKING``: importing typing costs start-up time
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

    Stamp = dict[str, Any]

ENV_VAR = "FERRULE_REBUILD_ON_IMPORT"
STAMP_HEADER = "ferrule-rebuild-stamp 2"
_OFF = ("0", "false", "no", "off")

__all__ = [
    "ENV_VAR",
    "RebuildError",
    "activate",
    "env_key",
    "file_lock",
    "python_id",
    "stale_reason",
]


class RebuildError(Exception):
    """The package's sources changed and rebuilding it failed; the message has the build output."""


def python_id(version: str, ext_suffix: str) -> str:
    """What identifies an interpreter for compiled code: its full version and extension suffix.

    >>> python_id("3.11.7 (main, May  9 2026)\\n[GCC 12.2.0]", ".cpython-311-x86_64-linux-gnu.so")
    '3.11.7 (main, May 9 2026) [GCC 12.2.0] .cpython-311-x86_64-linux-gnu.so'
    """
    return " ".join(version.split()) + " " + ext_suffix


def _current_python_id() -> str:
    import _imp

    return python_id(sys.version, _imp.extension_suffixes()[0])


def env_key(value: str | None) -> str:
    """A short fingerprint of an environment variable's value (values are not stored).

    >>> env_key(None), env_key(""), env_key("-C opt-level=3")
    ('-', '0:0', '14:3015369771')
    """
    if value is None:
        return "-"
    import binascii

    return f"{len(value)}:{binascii.crc32(value.encode('utf-8', 'surrogateescape'))}"


def env_snapshot(
    environ: Mapping[str, str],
    names: Iterable[str],
    prefixes: Iterable[str],
    exclude: Iterable[str],
) -> dict[str, str]:
    """Fingerprints of the named variables (set or not) and of every set one with a watched prefix.

    >>> env_snapshot({"CARGO_X": "1", "CARGO_TERM_COLOR": "never", "HOME": "/h"},
    ...              ["FOO", "CARGO_Y"], ["CARGO_"], ["CARGO_TERM_"])
    {'FOO': '-', 'CARGO_X': '1:2212294583'}
    """
    prefixes, exclude = tuple(prefixes), tuple(exclude)
    out = {name: env_key(environ.get(name)) for name in names if not name.startswith(prefixes)}
    for name, value in environ.items():
        if name.startswith(prefixes) and not name.startswith(exclude):
            out[name] = env_key(value)
    return out


def stat_key(path: str) -> tuple[str, str, str]:
    """``(mtime_ns, size, ctime_ns)`` as strings, ``("-", "-", "-")`` for a missing file.

    The same fields as ferrule's cache store records (``ferrule._store.file_state``),
    which this stdlib-only copy must agree with (a test checks it).
    """
    try:
        st = os.stat(path)
    except OSError:
        return ("-", "-", "-")
    return (str(st.st_mtime_ns), str(st.st_size), str(st.st_ctime_ns))


def parse_stamp(text: str) -> Stamp:
    """Read the stamp's tab-separated lines (see :func:`ferrule.develop.fresh.render_stamp`)."""
    lines = text.split("\n")
    if not lines or lines[0] != STAMP_HEADER:
        raise ValueError("not a ferrule rebuild stamp (or from another version)")
    stamp: Stamp = {"env": {}, "files": [], "installed": [], "prefixes": [], "exclude": []}
    for line in lines[1:]:
        if not line:
            continue
        kind, _, rest = line.partition("\t")
        if kind == "file":
            mtime, size, ctime, path = rest.split("\t", 3)
            stamp["files"].append((path, (mtime, size, ctime)))
        elif kind == "installed":
            mtime, size, path = rest.split("\t", 2)
            stamp["installed"].append((path, mtime, size))
        elif kind == "env":
            name, key = rest.split("\t", 1)
            stamp["env"][name] = key
        elif kind in ("prefixes", "exclude"):
            stamp[kind] = rest.split()
        else:
            stamp[kind] = rest
    return stamp


def stale_reason(stamp: Stamp, base: str, environ: Mapping[str, str]) -> str | None:
    """Why the build is out of date, or None. ``base`` anchors relative installed paths.

    >>> stale_reason({}, "", {"FERRULE_NO_CACHE": "1"})
    'FERRULE_NO_CACHE is set'
    """
    if environ.get("FERRULE_NO_CACHE", "").strip().lower() in ("1", "true", "yes", "on"):
        return "FERRULE_NO_CACHE is set"  # as ferrule._metadata_cache.caching_off
    if stamp.get("python") != _current_python_id():
        return "the Python interpreter changed"
    for path, recorded in stamp["files"]:
        now = stat_key(path)
        if now != recorded:
            what = (
                "was removed" if now[0] == "-" else "appeared" if recorded[0] == "-" else "changed"
            )
            return f"{path} {what}"
    for rel, mtime, size in stamp["installed"]:
        now = stat_key(os.path.join(base, rel))
        # A file installed by a frontend from an editable wheel has no known mtime.
        if now[1] != size or (mtime != "*" and now[0] != mtime):
            return f"the installed {os.path.basename(rel)} was replaced or removed"
    names = [n for n, _ in stamp["env"].items() if not n.startswith(tuple(stamp["prefixes"]))]
    current = env_snapshot(environ, names, stamp["prefixes"], stamp["exclude"])
    if current != stamp["env"]:
        changed = sorted(set(current.items()) ^ set(stamp["env"].items()))
        return f"environment variable {changed[0][0]} changed"
    return None


class file_lock:
    """An exclusive lock on ``path`` (created if needed), held for the ``with`` block."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = -1

    def __enter__(self) -> file_lock:
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if os.name == "nt":  # pragma: no cover - exercised on Windows only
            import msvcrt

            while True:
                try:
                    msvcrt.locking(self._fd, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                    break
                except OSError:
                    continue
        else:
            import fcntl

            fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        if os.name == "nt":  # pragma: no cover
            import msvcrt

            os.lseek(self._fd, 0, 0)
            msvcrt.locking(self._fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)


def _say(message: str) -> None:
    if sys.stderr is not None:  # None under pythonw
        print(f"ferrule: {message}", file=sys.stderr, flush=True)


def _read(path: str) -> Stamp | None:
    try:
        with open(path, encoding="utf-8") as f:
            return parse_stamp(f.read())
    except (OSError, ValueError):
        return None


_BOOTSTRAP = "import sys; sys.path.insert(0, sys.argv.pop(1)); from ferrule.cli import main; sys.exit(main())"


def _ferrule_command(config: Mapping[str, Any]) -> list[str]:
    """The ferrule that made the install, else the one installed in this environment.

    The recorded one is run from where it was imported (an isolated build
    environment adds that directory to ``sys.path`` without the interpreter
    knowing it), as long as that directory exists.
    """
    python, location = config.get("python"), config.get("location")
    if (
        python
        and location
        and os.path.exists(python)
        and os.path.isfile(os.path.join(location, "ferrule", "__init__.py"))
    ):
        return [python, "-c", _BOOTSTRAP, location]
    import importlib.util

    if importlib.util.find_spec("ferrule") is not None:
        try:
            import importlib.metadata

            here = importlib.metadata.version("ferrule")
        except Exception:
            here = None
        if here and here != config.get("version"):
            _say(
                f"note: rebuilding with ferrule {here} (the install was made by {config.get('version')})"
            )
        return [sys.executable, "-m", "ferrule"]
    raise RebuildError(
        f"{config.get('module')} needs rebuilding, but the ferrule that installed it is gone "
        f"(it ran from {location}, an isolated build environment?) and ferrule is not "
        f"installed in this environment: install it here (pip install "
        f"'ferrule=={config.get('version')}'), or set {ENV_VAR}=0 to import the "
        "installed build"
    )


def _rebuild(module: str, config: Mapping[str, Any], reason: str) -> None:
    import subprocess
    import time

    command = [*_ferrule_command(config), "develop", *config["args"], "--from-import-hook"]
    env = dict(os.environ)
    env[ENV_VAR] = "0"  # the build must not trigger this hook again
    env["VIRTUAL_ENV"] = sys.prefix
    if env.get("CONDA_PREFIX") and os.path.realpath(env["CONDA_PREFIX"]) != os.path.realpath(
        sys.prefix
    ):
        del env["CONDA_PREFIX"]
    live = sys.stderr is not None and sys.stderr.isatty()
    _say(f"{module} is out of date ({reason}); rebuilding")
    start = time.monotonic()
    proc = subprocess.Popen(
        command,
        cwd=config["project"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    assert proc.stdout is not None
    output = []
    for line in proc.stdout:
        output.append(line)
        if live:
            sys.stderr.write(line)
            sys.stderr.flush()
    if proc.wait() != 0:
        raise RebuildError(
            f"rebuilding {module} failed ({reason}); the build said:\n\n"
            + "".join(output[-200:]).rstrip()
            + f"\n\n(command: {' '.join(command)} in {config['project']}; "
            f"{ENV_VAR}=0 imports the installed build instead)"
        )
    _say(f"rebuilt {module} in {time.monotonic() - start:.1f} s")


class _Finder:
    """A meta-path finder that never finds anything: it checks, maybe rebuilds, and steps aside."""

    def __init__(self, module: str, stamp_path: str) -> None:
        self.module = module
        self.stamp_path = stamp_path
        self.checked = False

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname != self.module or self.checked:
            return
        self.checked = True
        if os.environ.get(ENV_VAR, "").strip().lower() in _OFF:
            return
        self.check()

    def check(self) -> None:
        stamp = _read(self.stamp_path)
        if stamp is None:
            return
        base = os.path.dirname(os.path.abspath(__file__))
        if stale_reason(stamp, base, os.environ) is None:
            return
        import json

        config = json.loads(stamp["config"])
        if not os.path.isdir(config["project"]):
            _say(
                f"warning: the project of {self.module} ({config['project']}) is gone; "
                "importing the installed build"
            )
            return
        with file_lock(config["lock"]):
            # Another process may have rebuilt while this one waited (and, if the
            # version changed, replaced the .dist-info holding the stamp).
            stamp = _read(self.stamp_path)
            reason = stale_reason(stamp, base, os.environ) if stamp else None
            if reason is not None:
                _rebuild(self.module, config, reason)


def activate(module: str, stamp: str) -> None:
    """Watch top-level ``module``; ``stamp`` is relative to this file's directory."""
    if any(isinstance(f, _Finder) and f.module == module for f in sys.meta_path):
        return
    here = os.path.dirname(os.path.abspath(__file__))
    sys.meta_path.insert(0, _Finder(module, os.path.join(here, stamp)))
