"""A mixed Rust/Python package whose extension has nested submodules."""

from stubs_nested._native import VERSION, geometry, greet, text

__all__ = ["VERSION", "geometry", "greet", "text"]
