import subprocess
import sysconfig
from pathlib import Path

import lib_and_bin

assert lib_and_bin.greet() == "from the library"
cli = Path(sysconfig.get_path("scripts")) / "lib-and-bin-cli"
assert (
    subprocess.run([str(cli)], capture_output=True, text=True, check=True).stdout.strip()
    == "from the binary"
)
print("ok")
