from . import _first, _second


def both() -> tuple[str, str]:
    return _first.which(), _second.which()
