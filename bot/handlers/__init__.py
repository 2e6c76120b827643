"""One module per conversation, each with a Mermaid diagram (.mmd) beside it."""

from warnings import filterwarnings

from telegram.warnings import PTBUserWarning

# Conversations mix message and button handlers on purpose (per chat, not per message);
# python-telegram-bot warns about that combination on every build.
filterwarnings("ignore", message=r".*per_message=False", category=PTBUserWarning)
