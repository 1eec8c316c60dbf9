"""Run inside a venv where the wheel is installed: exercises both C libraries.

It does not import the stdlib bz2 module: that would load the system's libbz2,
and the tests check that the wheel's own copy is the one in use.
"""

import zlib

import audit_syslibs

zver, bver = audit_syslibs.versions()
assert zver.startswith("1."), zver
assert bver.startswith("1.0"), bver
data = b"ferrule " * 1000
assert audit_syslibs.zlib_crc32(data) == zlib.crc32(data)
packed = bytes(audit_syslibs.bz2_compress(data))
assert packed.startswith(b"BZh9") and len(packed) < 200, packed[:16]
print("ok")
