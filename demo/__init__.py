"""Development-only code: the demo's synthetic population, the local stand-in of the
Telegram Bot API, the terminal chat, and the commands that wire them in (``bansos demo``,
``bansos seed-demo``, ``bansos chat``).

Nothing under ``api/``, ``bot/`` or ``messages/`` imports this package; it imports them.
"""
