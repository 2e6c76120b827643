"""The application layer: one function per thing a user does, shared by every surface.

The JSON API, Open311, the console and the command line only translate HTTP, forms or
arguments into these calls and their results back. Each function takes typed input and the
acting principal (a :class:`~api.application.principals.Citizen` acting through a channel
key, or a :class:`~api.domain.staff.StaffMember`), asks :mod:`api.domain.access` whether
that principal may, owns its transaction and its audit row, and returns a typed result or
raises :class:`~api.application.errors.AppError`. Nothing here knows HTTP.

Rooms:

- ``status_checks``: a citizen's status check by NIK, the NIK format check, subscriptions.
- ``complaint_intake``: the categories and limits a citizen files against, and filing.
- ``citizen_complaints``: what a citizen does with their complaint afterwards.
- ``staff_work``: sign-in, the queue, a complaint in full (and revealing who is behind it),
  lifecycle actions, evidence downloads.
- ``administration``: categories' routing rules, offices, staff accounts, API keys.
- ``registry``: importing the beneficiary registry and disbursements.
"""
