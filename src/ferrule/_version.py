"""ferrule's version, in a module of its own.

Every layer records or prints it (wheel generators, stamps, user agents), and
the package's ``__init__`` is the backend object at the top of the layers
(docs/architecture.md); flit_core reads the version here.
"""

__version__ = "0.1.0"
