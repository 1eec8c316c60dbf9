"""Run inside a venv where the wheel is installed: exercises the Rust code."""

import audit_glibc_new

words = audit_glibc_new.random_words(64)
assert len(words) == 64 and all(0 <= w < 2**32 for w in words)
assert len(set(words)) > 60  # random
print("ok")
