"""Which audit a built file gets (by its format, not the host), and what the audits return.

ELF files go to the manylinux audit of :mod:`ferrule.audit`; Mach-O files to
:mod:`ferrule.audit.macos`, PE files to :mod:`ferrule.audit.windows`, whatever
machine builds them (a cross build from Linux is audited as one on the target).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path, PurePosixPath

from ferrule._record import record

__all__ = ["BinaryAudit", "audit_binary", "binary_format"]


@record
class BinaryAudit:
    """The platform tag the binaries need; warning lines; problems (errors unless ``warn``)."""

    platform_tag: str
    warnings: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def binary_format(path: Path) -> str | None:
    """``elf``, ``macho`` or ``pe`` from the file's first bytes; None for anything else."""
    try:
        with path.open("rb") as f:
            head = f.read(4)
    except OSError:
        return None
    if head == b"\x7fELF":
        return "elf"  # (the Mach-O and PE readers are not even imported for ELF files)
    from ferrule.macho import is_macho
    from ferrule.pe import is_pe

    if is_macho(head):
        return "macho"
    return "pe" if is_pe(head) else None


def audit_binary(
    kind: str,
    path: Path,
    where: PurePosixPath,
    platform_tag: str,
    *,
    abi3: bool = False,
    shipped: Collection[PurePosixPath] = (),
) -> BinaryAudit:
    """The macOS or Windows audit of the built file ``path``, at ``where`` in the wheel."""
    binaries = [(where, path.read_bytes())]
    if kind == "macho":
        from ferrule.audit.macos import audit_macos

        return audit_macos(binaries, platform_tag, shipped)
    from ferrule.audit.windows import audit_windows

    return audit_windows(binaries, platform_tag, abi3=abi3, shipped=shipped)
