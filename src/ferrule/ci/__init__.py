"""``ferrule generate-ci``: CI workflows that build and publish the project's wheels.

- :mod:`ferrule.ci.config` validates ``[tool.ferrule.generate-ci]`` (maturin's keys);
- :mod:`ferrule.ci.project` gathers the facts about the project a workflow needs;
- :mod:`ferrule.ci.github` renders the GitHub Actions workflow (pure), from
  :mod:`~ferrule.ci.targets` (matrix rows), :mod:`~ferrule.ci.interpreters` and
  :mod:`~ferrule.ci.jobs`;
- :mod:`ferrule.ci.yaml` writes YAML without a dependency;
- ``generate-ci`` passes its check of ferrule command lines (:mod:`ferrule.commands._argv`) down.
"""
