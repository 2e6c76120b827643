"""The ``bansos`` command's composition root: it assembles the command groups of the api,
the bot and the development-only demo into one command line (:mod:`bansos.cli`)."""
