"""The api's commands, one module per group: ``server`` (migrate, serve, worker),
``reference`` (load-reference), ``registry`` (import beneficiaries/disbursements) and
``accounts`` (API keys, staff, secrets) and ``operations`` (bootstrap, rotate-keys,
verify-data), with ``common`` for what they share.

Each command is a thin translation: arguments in, one call into the domain, output and an
exit code out. The ``bansos`` command itself is assembled in :mod:`bansos.cli`; nothing
here imports ``bot`` or ``demo``.
"""
