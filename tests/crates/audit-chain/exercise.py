"""Run inside a venv where the wheel is installed: calls through libchaina into libchainb."""

import audit_chain

assert audit_chain.compute(6) == 43, audit_chain.compute(6)
assert audit_chain.next_library() == "chain-b"
print("ok")
