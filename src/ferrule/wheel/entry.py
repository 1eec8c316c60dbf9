"""One file of a wheel: copied from a source file or made of bytes."""

from __future__ import annotations

from pathlib import Path

__all__ = ["Entry"]


class Entry:
    """One file in the wheel: copied from ``source`` or made of ``data``.

    ``project_file``: ``source`` is one of the project's own files (not a copy
    staged for this build), so its stat identifies its content (the wheel stamp).

    The source may be given as a string (the walk of the project's files does:
    a ``Path`` per file costs about 300 bytes); ``source`` is always a ``Path``
    (made when asked for), ``source_path`` is what was given, for the hot loops
    that only open or stat it. A project file whose archive name is the end of its
    path keeps no second string (:meth:`tail`). Immutable, compared by value.
    """

    __slots__ = ("_name", "_source", "data", "executable", "project_file")

    _name: str | int  # the archive name, or where it starts in ``_source``
    _source: Path | str | None
    data: bytes | None
    executable: bool
    project_file: bool

    def __init__(
        self,
        arcname: str,
        source: Path | str | None = None,
        data: bytes | None = None,
        executable: bool = False,
        project_file: bool = False,
    ) -> None:
        for slot, value in (
            ("_name", arcname),
            ("_source", source),
            ("data", data),
            ("executable", executable),
            ("project_file", project_file),
        ):
            object.__setattr__(self, slot, value)

    @classmethod
    def tail(cls, source: str, at: int) -> Entry:
        """The project file ``source`` whose archive name is ``source[at:]`` (its path
        relative to the Python source directory, with ``/`` separators)."""
        entry = object.__new__(cls)  # made per file on every pass: no __init__ loop
        put = object.__setattr__
        put(entry, "_name", at)
        put(entry, "_source", source)
        put(entry, "data", None)
        put(entry, "executable", False)
        put(entry, "project_file", True)
        return entry

    @property
    def arcname(self) -> str:
        name = self._name
        if type(name) is int:
            source = self._source
            assert isinstance(source, str)
            return source[name:]
        assert isinstance(name, str)
        return name

    @property
    def source(self) -> Path | None:
        given: Path | str | None = self._source
        return Path(given) if isinstance(given, str) else given

    @property
    def source_path(self) -> Path | str | None:
        """The source as given: a ``str`` or a ``Path`` (both open and stat alike)."""
        given: Path | str | None = self._source
        return given

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Entry is immutable: cannot set {name}")

    def _fields(self) -> tuple[object, ...]:
        return (self.arcname, self.source, self.data, self.executable, self.project_file)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"Entry(arcname={self.arcname!r}, source={self.source!r}, data={self.data!r}, "
            f"executable={self.executable!r}, project_file={self.project_file!r})"
        )
