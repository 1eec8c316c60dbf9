from bind_cffi_header import ffi, lib

assert lib.triple(14) == 42
# Declared only by the header the build script wrote (cbindgen would not).
assert ffi.sizeof("header_from_build_script") == 4
print("ok")
