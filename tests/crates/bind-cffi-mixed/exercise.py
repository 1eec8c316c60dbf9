import bind_cffi_mixed

assert bind_cffi_mixed.nine_times(2) == 18
print("ok")
