from .stubs_mixed import get_21


def get_42() -> int:
    return get_21() * 2
