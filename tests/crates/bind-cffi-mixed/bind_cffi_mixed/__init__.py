from .bind_cffi_mixed import lib


def nine_times(x: int) -> int:
    return lib.times_three(lib.times_three(x))
