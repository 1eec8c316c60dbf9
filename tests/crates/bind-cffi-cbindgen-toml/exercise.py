from bind_cffi_cbindgen_toml import ffi, lib

# The struct carries the prefix from the crate's cbindgen.toml.
pair = ffi.new("BcPair *", {"left": 40, "right": 2})
assert lib.pair_sum(pair[0]) == 42
print("ok")
