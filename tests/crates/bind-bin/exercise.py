import shutil
import subprocess
import sysconfig
from pathlib import Path

scripts = Path(sysconfig.get_path("scripts"))
tool = scripts / "bind-bin"
out = subprocess.run([str(tool), "a", "b"], capture_output=True, text=True, check=True)
assert out.stdout.strip() == "bind-bin says: a b"
assert not (scripts / "bind-bin-extra").exists()  # its required feature is off
print("ok")
