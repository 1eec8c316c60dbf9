import bind_uniffi

assert bind_uniffi.add(2, 3) == 5
assert bind_uniffi.hello("uniffi") == "hello uniffi"
print("ok")
