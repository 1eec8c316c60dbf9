import layout_srcrust

assert layout_srcrust.answer() == 42
print("ok")
