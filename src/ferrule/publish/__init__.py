"""Uploading distributions to PyPI, or any index that speaks its upload API.

Used by ``ferrule upload`` and ``ferrule publish`` only; the build backend never
imports it. Standard library plus ``packaging`` (already a dependency), and
``keyring`` when that happens to be installed. See docs/publish.md.

- :mod:`~ferrule.publish.artifact`: every file is inspected before anything is sent;
- :mod:`~ferrule.publish.repository`: which index (``-r``, ``--repository-url``, ``~/.pypirc``);
- :mod:`~ferrule.publish.credentials`: who we are there (never shown);
- :mod:`~ferrule.publish.target`: both resolved from the options and the environment;
- :mod:`~ferrule.publish.form`: the upload form, streamed as multipart/form-data;
- :mod:`~ferrule.publish.upload`: one POST per file, with retries;
- :mod:`~ferrule.publish.transport`: that POST over HTTP(S), no redirects, the answer read first;
- :mod:`~ferrule.publish.reason`: the server's own reason, in a readable line;
- :mod:`~ferrule.publish.dists`: what ``publish`` builds (sdist first, wheels from it).
"""

from __future__ import annotations

from ferrule.errors import PublishError

__all__ = ["PublishError"]
