import layout_pysource

assert layout_pysource.shout("hi") == "HI!"  # "loud" applies to this interpreter
print("ok")
