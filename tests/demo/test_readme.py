"""The README's examples use the demo's own people and accounts: pasted into a running demo,
they work."""

from __future__ import annotations

import json
import re
from pathlib import Path

from api.domain.pilot_config import load_pilot_config
from api.domain.regions import region_codes
from demo import population
from demo.seed import pilot_district_codes
from demo.staff import DEMO_ACCOUNTS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def demo_people() -> dict[str, str]:
    """NIK → name of every person the demo seeds about its personas (their families too)."""
    districts = pilot_district_codes(load_pilot_config(), region_codes())
    return {
        member.nik: member.nama
        for persona in population.demo_personas(districts)
        for member in persona.family.members
    }


def test_the_status_check_example_is_a_demo_persona_with_their_name():
    example = json.loads(re.search(r'^\{"nik": .*\}$', README, re.MULTILINE).group(0))
    people = demo_people()
    nik = example["nik"].replace(" ", "")
    assert people.get(nik, "").casefold() == example["name"].casefold()


def test_the_accounts_table_lists_exactly_the_accounts_the_demo_creates():
    table = README.split("| account | role, office | shows |", 1)[1].split("\n\n", 1)[0]
    listed = re.findall(r"^\| `([\w-]+)` \|", table, re.MULTILINE)
    assert sorted(listed) == sorted(a.username for a in DEMO_ACCOUNTS)


def test_the_first_two_commands_are_the_demo_and_the_tests():
    commands = re.search(r"```sh\n(.*?)```", README, re.DOTALL).group(1).splitlines()
    assert [line.split("#")[0].strip() for line in commands] == [
        "python3 dev.py demo",
        "python3 dev.py test",
    ]
