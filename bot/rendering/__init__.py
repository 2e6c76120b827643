"""What the citizen reads about a complaint, rendered once for every surface of the bot.

``fitting`` knows how Telegram counts a message and shortens text to fit; ``complaint``
renders one complaint with its timeline (``/lacak``); ``notification`` renders one event of
that timeline as it is announced in the chat. Handlers and the notifier only send these.
"""
