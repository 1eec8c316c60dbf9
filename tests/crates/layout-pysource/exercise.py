import layout_pysource

assert layout_pysource.shout("hi") == "HI"
print("ok")
