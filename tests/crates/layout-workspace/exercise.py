import layout_workspace

assert layout_workspace.triangle(4) == 10
print("ok")
