"""The Python side of layout-external: runs the Rust binary the wheel installs."""

import subprocess
import sysconfig
from pathlib import Path


def greet(*words: str) -> str:
    tool = Path(sysconfig.get_path("scripts")) / "layout-external"
    return subprocess.run([str(tool), *words], capture_output=True, text=True, check=True).stdout
