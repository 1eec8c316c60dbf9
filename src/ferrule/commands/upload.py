"""``ferrule upload FILE…``: upload wheels and sdists to PyPI or another index."""

from __future__ import annotations

import argparse
import glob
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ferrule.publish.target import UploadOptions


def add_upload_options(p: argparse.ArgumentParser) -> None:
    """maturin's upload flags; each also comes from a FERRULE_* or MATURIN_* variable."""
    g = p.add_argument_group(
        "upload options", "each flag can also be set by FERRULE_<NAME> or MATURIN_<NAME>"
    )
    g.add_argument(
        "-r",
        "--repository",
        help="a section of ~/.pypirc, or pypi / testpypi (default pypi; env *_REPOSITORY)",
    )
    g.add_argument(
        "--repository-url",
        help="the upload URL; overrides --repository (env *_REPOSITORY_URL)",
    )
    g.add_argument("-u", "--username", help="username for the index (env *_USERNAME)")
    g.add_argument(
        "-p",
        "--password",
        help="password for the index (env *_PASSWORD; prefer the variable or *_PYPI_TOKEN: "
        "a command line is visible to other users)",
    )
    g.add_argument(
        "--skip-existing",
        action="store_true",
        help="go on when a file is already on the index",
    )
    g.add_argument(
        "--non-interactive",
        action="store_true",
        help="never prompt for credentials (env *_NON_INTERACTIVE; automatic on CI)",
    )


def upload_options(args: argparse.Namespace) -> UploadOptions:
    """The upload flags of ``args``: each option's dest is the field's name."""
    import dataclasses

    from ferrule.publish.target import UploadOptions

    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(UploadOptions)}
    return UploadOptions(**given)


def register(sub: Any) -> None:
    p = sub.add_parser("upload", help="upload wheels and sdists to PyPI or another index")
    p.add_argument("files", nargs="+", metavar="FILE", help="wheels and sdists (globs expand)")
    add_upload_options(p)


def _expand(patterns: list[str]) -> list[Path]:
    """Shell-style globs expand here too (shells on Windows leave them alone)."""
    paths: list[Path] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern))  # noqa: PTH207 - absolute patterns too if glob.has_magic(pattern) else []
        paths += [Path(m) for m in matches] or [Path(pattern)]
    return paths


def run(args: argparse.Namespace, rustc_args: list[str]) -> int:
    from ferrule.errors import FerruleError
    from ferrule.publish.artifact import check_artifacts, problems_for_pypi
    from ferrule.publish.target import resolve_target
    from ferrule.publish.upload import upload_artifacts

    if rustc_args:
        raise FerruleError("ferrule upload takes no arguments after '--'")
    environ = dict(os.environ)
    artifacts = check_artifacts(_expand(args.files))
    target = resolve_target(upload_options(args), environ, stdin_is_terminal=sys.stdin.isatty())
    refused = problems_for_pypi(artifacts, target.repository.host)
    if refused:
        raise FerruleError("nothing was uploaded:\n" + "\n".join(f"  {p}" for p in refused))
    report = upload_artifacts(artifacts, target, environ)
    _summary(report.uploaded, report.skipped)
    return 0


def _summary(uploaded: list[Path], skipped: list[Path]) -> None:
    from ferrule import _log

    text = f"uploaded {len(uploaded)} file{'s' if len(uploaded) != 1 else ''}"
    if skipped:
        text += f", skipped {len(skipped)} already on the index"
    _log.info(text)
