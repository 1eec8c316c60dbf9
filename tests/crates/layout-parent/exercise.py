import layout_parent

assert layout_parent.where_am_i() == "in the parent directory's crate"
print("ok")
