from layout_packages import add


def add3(a: int, b: int, c: int) -> int:
    return add(add(a, b), c)
