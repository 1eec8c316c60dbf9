import importlib.util
import json
import sys
from pathlib import Path

import layout_includes

assert layout_includes.ping() == "pong"
package = Path(layout_includes.__file__).parent
assert (package / "built_info.txt").read_text() == "made by build.rs\n"
assert importlib.util.find_spec("layout_includes.scratch_notes") is None
assert importlib.util.find_spec("layout_includes.generated_cache") is None
site = package.parent
assert json.loads((site / "extra" / "settings.json").read_text()) == {"extra": True}
print("ok")
