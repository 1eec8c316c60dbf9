"""The development loop: ``ferrule develop``, editable installs, rebuild on import.

- :mod:`~ferrule.develop.run`: ``develop`` itself (find the environment, check
  dependencies, run cargo, install or do nothing);
- :mod:`~ferrule.develop.editable`: what an editable install holds, for ``develop``
  and the PEP 660 hook alike;
- :mod:`~ferrule.develop.install`: writing files, RECORD and scripts into an
  environment, and removing an installed distribution, without pip;
- :mod:`~ferrule.develop.environment`: the target environment and its interpreter;
- :mod:`~ferrule.develop.requirements`: dependencies, installed only when missing;
- :mod:`~ferrule.develop.fresh`: what is up to date (records, the import hook's stamp);
- :mod:`~ferrule.develop.replay`: a repeated no-op ``develop`` without reloading the project;
- :mod:`ferrule._import_hook`: the stdlib-only hook copied into environments.

See docs/develop.md.
"""
