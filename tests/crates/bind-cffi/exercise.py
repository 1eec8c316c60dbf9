from bind_cffi import ffi, lib

assert lib.add(2, 40) == 42
p = ffi.new("Point *", {"x": 3.0, "y": 4.0})
assert lib.norm2(p[0]) == 25.0
print("ok")
