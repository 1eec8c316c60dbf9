import multi_extension

assert multi_extension.both() == ("first", "second")
print("ok")
