import bind_pyo3_ffi

assert bind_pyo3_ffi.answer() == 42
assert bind_pyo3_ffi.__doc__ == "A raw pyo3-ffi module."
print("ok")
