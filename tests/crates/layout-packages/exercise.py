import layout_packages_extra

assert layout_packages_extra.add3(1, 2, 3) == 6
print("ok")
