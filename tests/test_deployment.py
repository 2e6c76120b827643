"""docker-compose.yml and the Dockerfile come up on a fresh host, in order.

Docker does not run where the tests run, so the file is checked as data: the service graph
(what waits for what, and for which condition), the profiles, every variable it reads, and
every command it runs against the real ``bansos`` command line. Where ``docker compose``
exists, it renders the file too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import typer.main
import yaml

from api.settings import Settings
from bansos.cli import app
from bot.settings import BotSettings

ROOT = Path(__file__).resolve().parents[1]
# The file without its comment lines (which may mention ${VAR} syntax).
COMPOSE_TEXT = "\n".join(
    line
    for line in (ROOT / "docker-compose.yml").read_text().splitlines()
    if not line.lstrip().startswith("#")
)
DOCKERFILE = (ROOT / "Dockerfile").read_text()
OPERATIONS = (ROOT / "docs" / "operations.md").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
VARIABLE = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")
OPTIONAL_PROFILE = "bot"


def interpolated(text: str) -> str:
    """The file as docker compose reads it with an empty environment (no .env)."""
    return VARIABLE.sub(lambda m: m["arg"] if m["op"] in (":-", "-") else "", text)


COMPOSE = yaml.safe_load(interpolated(COMPOSE_TEXT))
SERVICES: dict[str, dict] = COMPOSE["services"]
APP_IMAGE = "bansos:latest"


def default_services() -> set[str]:
    return {name for name, service in SERVICES.items() if not service.get("profiles")}


def waits_for(name: str) -> dict[str, str]:
    """What ``name`` waits for, and for which condition."""
    depends = SERVICES[name].get("depends_on") or {}
    assert isinstance(depends, dict), f"{name}: depends_on must name a condition for each"
    return {target: spec["condition"] for target, spec in depends.items()}


def raw_service_text(name: str) -> str:
    """The service's own lines in the file, as written (before interpolation)."""
    match = re.search(rf"(?ms)^  {name}:\n(.*?)(?=^  [a-z][a-z0-9-]*:\n|^\S)", COMPOSE_TEXT)
    assert match, name
    return match.group(1)


def test_no_variable_is_required_to_read_the_file():
    # ${VAR:?} stops `docker compose` for every service, before the database exists that
    # `bansos bootstrap` needs: a missing secret must stop only the process that needs it.
    required = [m[0] for m in VARIABLE.finditer(COMPOSE_TEXT) if m["op"] in (":?", "?")]
    assert required == []


def test_every_variable_has_a_default_or_belongs_to_the_optional_profile():
    for match in VARIABLE.finditer(COMPOSE_TEXT):
        if match["op"] in (":-", "-"):
            continue
        users = [name for name in SERVICES if f"${{{match['name']}" in raw_service_text(name)]
        assert users and all(
            OPTIONAL_PROFILE in SERVICES[name].get("profiles", []) for name in users
        ), match[0]


def test_every_variable_is_documented_in_the_operations_guide_and_the_env_example():
    for name in {m["name"] for m in VARIABLE.finditer(COMPOSE_TEXT)}:
        assert f"`{name}`" in OPERATIONS, name
        assert re.search(rf"(?m)^#? ?{name}=", ENV_EXAMPLE), name


def test_the_telegram_token_is_needed_by_the_bot_profile_only():
    users = [name for name in SERVICES if "TELEGRAM_BOT_TOKEN" in raw_service_text(name)]
    assert users == ["bot"]
    assert SERVICES["bot"]["profiles"] == [OPTIONAL_PROFILE]
    # The rest comes up without it, and without the bot.
    assert "bot" not in default_services()
    for name in default_services():
        assert set(waits_for(name)) <= default_services(), name


def test_the_steps_come_up_in_order_each_after_the_one_before_succeeded():
    assert waits_for("migrate") == {"postgres": "service_healthy"}
    assert waits_for("reference") == {"migrate": "service_completed_successfully"}
    assert waits_for("bootstrap") == {"reference": "service_completed_successfully"}
    for server in ("api", "worker"):
        assert waits_for(server) == {
            "bootstrap": "service_completed_successfully",
            "redis": "service_healthy",
        }
    assert waits_for("bot") == {
        "bootstrap": "service_completed_successfully",
        "api": "service_healthy",
        "redis": "service_healthy",
    }


def test_the_graph_is_sound():
    for name in SERVICES:
        for target, condition in waits_for(name).items():
            assert target in SERVICES, f"{name} waits for an unknown {target}"
            if condition == "service_healthy":
                assert "healthcheck" in SERVICES[target], f"{target} has no healthcheck"
            if condition == "service_completed_successfully":
                # A one-shot step: restarting it would run it for ever.
                assert SERVICES[target].get("restart") == "no", target
    # No cycle: every service can be started once everything it waits for has.
    started: list[str] = []
    pending = set(SERVICES)
    while pending:
        ready = sorted(n for n in pending if set(waits_for(n)) <= set(started))
        assert ready, f"a cycle among {sorted(pending)}"
        started += ready
        pending -= set(ready)
    order = started.index
    assert order("postgres") < order("migrate") < order("reference") < order("bootstrap")
    assert order("bootstrap") < order("api") < order("bot")


def test_the_api_answers_its_readiness_check():
    assert "/readyz" in " ".join(SERVICES["api"]["healthcheck"]["test"])


def command_of(argv: list[str]):
    """The ``bansos`` command ``argv`` runs, its arguments parsed as the real CLI would."""
    command = typer.main.get_command(app)
    args = list(argv)
    while hasattr(command, "commands"):  # a group: the next word names the command
        name = args.pop(0)
        assert name in command.commands, f"`bansos {' '.join(argv)}`: no command {name!r}"
        command = command.commands[name]
    command.make_context(" ".join(argv), args)  # raises on an unknown option or argument
    return command


def app_commands() -> dict[str, list[str]]:
    return {
        name: service["command"]
        for name, service in SERVICES.items()
        if service.get("image") == APP_IMAGE
    }


def test_every_command_exists_in_the_bansos_cli_with_those_options():
    commands = app_commands()
    assert set(commands) == {"migrate", "reference", "bootstrap", "api", "worker", "bot"}
    for name, argv in commands.items():
        assert isinstance(argv, list) and argv[0] == "bansos", f"{name}: run bansos itself"
        command_of(argv[1:])
    image_default = re.search(r"(?m)^CMD (\[.*\])$", DOCKERFILE)
    assert image_default
    command_of(yaml.safe_load(image_default.group(1))[1:])


def test_the_app_processes_read_only_settings_that_exist():
    known = {field.alias for field in Settings.model_fields.values()}
    bot_known = {field.alias for field in BotSettings.model_fields.values()}
    # Read by a library: prometheus-client's files of `bansos serve --workers N`.
    libraries = {"api": {"PROMETHEUS_MULTIPROC_DIR"}}
    for name, argv in app_commands().items():
        environment = set(SERVICES[name]["environment"])
        options = {
            variable
            for param in command_of(argv[1:]).params
            for variable in ([param.envvar] if isinstance(param.envvar, str) else [])
        }
        allowed = (bot_known if name == "bot" else known) | options | libraries.get(name, set())
        assert environment <= allowed, (name, environment - allowed)
    # The bot is a client of the api: none of the api's secrets or its database.
    assert not {"DATABASE_URL", "NIK_HASH_KEY", "DATA_ENCRYPTION_KEY", "SECRET_KEY"} & set(
        SERVICES["bot"]["environment"]
    )
    # Metrics never leave the compose network: the worker's port is not published.
    assert "ports" not in SERVICES["worker"]


def mounts(name: str) -> dict[str, tuple[str, bool]]:
    """Volume target → (volume, read-only) of a service."""
    found = {}
    for spec in SERVICES[name].get("volumes", []):
        volume, target, *mode = spec.split(":")
        found[target] = (volume, mode == ["ro"])
    return found


def test_the_bot_reads_its_key_where_bootstrap_writes_it():
    argv = SERVICES["bootstrap"]["command"]
    key_file = Path(argv[argv.index("--key-file") + 1])
    assert SERVICES["bot"]["environment"]["BANSOS_API_KEY_FILE"] == str(key_file)
    written = mounts("bootstrap")[str(key_file.parent)]
    read = mounts("bot")[str(key_file.parent)]
    assert written == (read[0], False) and read[1] is True  # the bot only reads
    assert read[0] in COMPOSE["volumes"]
    assert "BANSOS_API_KEY" not in SERVICES["bot"]["environment"]


def test_attachments_and_secrets_live_on_volumes_the_image_prepared():
    target = SERVICES["api"]["environment"]["ATTACHMENTS_DIR"]
    assert mounts("api")[target][0] in COMPOSE["volumes"]
    # The image creates both directories for its service user: an empty named volume takes
    # over that ownership, so the unprivileged processes can write there.
    for directory in (target, "/data/secrets"):
        assert directory in DOCKERFILE
    assert re.search(r"chown bansos /data/attachments /data/secrets", DOCKERFILE)
    assert re.search(r"(?m)^USER bansos$", DOCKERFILE)


def test_the_image_holds_every_package_the_command_line_imports():
    for package in ("api", "bot", "messages", "demo", "bansos"):
        assert re.search(rf"(?m)^COPY {package} \./{package}$", DOCKERFILE), package


def test_the_readme_production_shape_names_every_service():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Production shape", 1)[1].split("\n## ", 1)[0]
    for name in SERVICES:
        assert f"`{name}`" in section, name
    assert "--profile bot" in section and "docs/operations.md" in section


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0,
    reason="docker compose is not installed here (the checks above stand in for it)",
)
@pytest.mark.parametrize("profiles", [[], ["--profile", "bot"]])
def test_docker_compose_renders_the_file_with_an_empty_environment(profiles, tmp_path):
    result = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), *profiles, "config"],
        cwd=tmp_path,  # no .env
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, result.stderr
