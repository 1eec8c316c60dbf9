import layout_mixed
from layout_mixed import _native

assert layout_mixed.quadruple(3) == 12
assert _native.double(-4) == -8
print("ok")
