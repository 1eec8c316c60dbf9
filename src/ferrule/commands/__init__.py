"""One module per CLI command, each with ``register(subparsers)`` and ``run(args)``.

``ferrule.cli`` imports only this list and the module of the command being
run, which keeps start-up fast. To add a command, add a module and its name here.
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
