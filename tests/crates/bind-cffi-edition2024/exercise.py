from bind_cffi_edition2024 import lib

assert lib.halve(lib.ANSWER * 2) == 42
print("ok")
