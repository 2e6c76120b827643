"""The bot's command lists per scope and language, and the chat menu button."""

from __future__ import annotations

import contextlib
import copy
import json
import re
from typing import Any

from demo.telegram.limits import ApiError
from demo.telegram.params import Params

_SCOPE_TYPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat"}
    | {"chat_administrators", "chat_member"}
)
_COMMAND = re.compile(r"^[a-z0-9_]+$")


def scope_key(scope: dict[str, Any] | None) -> str:
    scope = dict(scope or {"type": "default"})
    if "chat_id" in scope:
        with contextlib.suppress(TypeError, ValueError):
            scope["chat_id"] = int(scope["chat_id"])
    return json.dumps(scope, sort_keys=True)


class CommandMethods:
    """setMyCommands, getMyCommands, deleteMyCommands, set/getChatMenuButton."""

    def _scope_and_language(self, params: Params) -> tuple[str, str]:
        scope = params.json("scope")
        if scope is not None and (
            not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES
        ):
            raise ApiError.bad_request("unsupported bot command scope specified")
        language = params.text("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError.bad_request("invalid language code specified")
        return scope_key(scope), language

    def _set_my_commands(self, params: Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list):
            raise ApiError.bad_request("can't parse commands JSON object")
        if len(commands) > self.limits.max_commands:
            raise ApiError.bad_request("too many commands specified")
        checked = []
        for command in commands:
            if not isinstance(command, dict):
                raise ApiError.bad_request("can't parse BotCommand: object expected")
            name, description = command.get("command"), command.get("description")
            if (
                not isinstance(name, str)
                or not 1 <= len(name) <= self.limits.max_command_length
                or not _COMMAND.match(name)
            ):
                raise ApiError.bad_request("BOT_COMMAND_INVALID")
            if (
                not isinstance(description, str)
                or not 1 <= len(description) <= self.limits.max_command_description_length
            ):
                raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": name, "description": description})
        key = self._scope_and_language(params)
        if checked:
            self._commands[key] = checked
        else:
            self._commands.pop(key, None)
        self._notify()
        return True

    def _get_my_commands(self, params: Params) -> list[dict[str, str]]:
        return copy.deepcopy(self._commands.get(self._scope_and_language(params), []))

    def _delete_my_commands(self, params: Params) -> bool:
        self._commands.pop(self._scope_and_language(params), None)
        self._notify()
        return True

    def _menu_button_of(self, chat_id: int | None) -> dict[str, Any]:
        if chat_id is not None and chat_id in self._menu_buttons:
            return self._menu_buttons[chat_id]
        return self._menu_buttons.get(None, {"type": "commands"})

    def _set_chat_menu_button(self, params: Params) -> bool:
        chat_id = params.integer("chat_id", invalid="chat not found")
        button = params.json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in {
            "commands",
            "web_app",
            "default",
        }:
            raise ApiError.bad_request("can't parse menu button: unsupported type")
        if button["type"] == "default":
            self._menu_buttons.pop(chat_id, None)
        else:
            self._menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, params: Params) -> dict[str, Any]:
        return copy.deepcopy(
            self._menu_button_of(params.integer("chat_id", invalid="chat not found"))
        )
