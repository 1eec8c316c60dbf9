from ._native import double


def quadruple(x: int) -> int:
    return double(double(x))
