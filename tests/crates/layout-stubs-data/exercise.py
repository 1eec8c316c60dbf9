import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import layout_stubs_data

assert layout_stubs_data.version() == "0.2.0"
package = Path(layout_stubs_data.__file__).parent
assert (package / "__init__.pyi").read_text().startswith("def version()")
assert (package / "py.typed").exists()
scripts = Path(sysconfig.get_path("scripts"))
out = subprocess.run(
    [str(scripts / "layout-stubs-data-hello")], capture_output=True, text=True, check=True
)
assert out.stdout.strip() == "hello from a data script"
note = Path(sys.prefix) / "share" / "layout-stubs-data" / "note.txt"
assert note.read_text().strip() == "shared data", note
print("ok")
