import bind_uniffi_bindgen

assert bind_uniffi_bindgen.multiply(6, 7) == 42
print("ok")
