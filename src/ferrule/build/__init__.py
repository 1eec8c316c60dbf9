"""Building wheels: settings -> :mod:`.plan` -> :mod:`.cargo_invocation` (cargo) ->
:mod:`.native` and :mod:`.wheel_entries` (the wheel's entries) -> :mod:`.run` (the writer).

Import the submodule you need (``from ferrule.build.run import build_wheels``):
this package imports nothing itself, so the metadata hooks stay light.
"""
