"""Run inside a venv where the wheel is installed: metadata as installed, and the Rust code."""

from importlib.metadata import distribution, entry_points

import meta_rich

dist = distribution("meta-rich")
assert dist.version == "1.0.0b2", dist.version
assert dist.metadata["Summary"] == "ferrule's metadata test crate: rich metadata, one real build"
assert sorted(p.name for p in dist.files if "licenses" in str(p)) == [
    "LICENSE-APACHE",
    "LICENSE-MIT",
    "NOTICE",
]
(plugin,) = entry_points(group="meta_rich.plugins")
assert plugin.load()("ferrule") == "hello, ferrule"
assert meta_rich.greet("you") == "hello, you"
print("ok")
