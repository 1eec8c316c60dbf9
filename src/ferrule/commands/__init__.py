"""One module per CLI command, each with ``register(subparsers)`` and ``run(args)``.

``ferrule.cli`` imports only this list and the module of the command being
run, which keeps start-up fast. To add a command, add a module and its name here
(and its aliases in :data:`ALIASES`: ``tests/unit/test_cli_startup.py`` checks them).
"""

COMMANDS = (
    "build",
    "cache",
    "cache-keys",
    "develop",
    "generate-ci",
    "init",
    "list-python",
    "new",
    "pep517",
    "publish",
    "sdist",
    "stubs",
    "upload",
)

# Other names of a command (``sub.add_parser(..., aliases=...)``): the word on the
# command line decides which one module is imported.
ALIASES = {"b": "build", "dev": "develop", "generate-stubs": "stubs"}
