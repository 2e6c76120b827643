"""Import of the beneficiary registry and of disbursements from UTF-8 CSV files.

The header is checked before anything is written: a missing or renamed column stops the
import. Then rows are streamed in chunks (memory stays flat whatever the file size); every
bad row is reported by line number and reason while the good rows land, one committed chunk
at a time, so an interrupted import keeps what it wrote and a re-run finishes the job.
"""

import importlib

# The names below live in importer.py and reading.py and are loaded on first use: the
# row-checking worker processes (workers.py) import this package too, and must not pay for
# the database layers that only the importing process needs (~35 MB and ~0.3 s each).
_EXPORTS = {
    "ImportFormatError": "reading",
    "ImportReport": "importer",
    "import_beneficiaries": "importer",
    "import_disbursements": "importer",
    "replace_beneficiaries": "replacement",
    "ReplacementUnavailable": "replacement",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
