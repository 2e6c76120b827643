"""pydantic's ValidationError worded as the pilot file's editor needs it: which entry (by its
code where it has a valid one, by position where not), which field, what is wrong.

Of several problems the first a reader meets is told, a mapping's missing or unknown keys
before anything inside it, so fixing the file top to bottom works.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from api.domain.pilot_config.model import REGENCY_OFFICE_TYPES, OfficeType, PilotConfigError
from api.domain.pilot_config.schema import PilotFile, kemendagri_regencies, regency_place

Loc = tuple[str | int, ...]

#: The field that names an entry: problems with it, or with the entry as a whole, are placed
#: by the entry's position, since its name is not known to be right.
_NAMING_FIELD = {
    "coordination_regions": "code",
    "regencies": "code",
    "offices": "code",
    "provincial_offices": "province",
}


def message(error: ValidationError, raw: Any) -> str:
    """The one message :class:`PilotConfigError` carries for ``error`` (raised on ``raw``)."""
    problems = error.errors()
    first = problems[0]
    for depth in range(len(first["loc"])):
        container = first["loc"][:depth]
        keys = [p["loc"][-1] for p in problems if p["loc"][:-1] == container]
        kinds = [p["type"] for p in problems if p["loc"][:-1] == container]
        missing = [str(k) for k, kind in zip(keys, kinds, strict=True) if kind == "missing"]
        if missing:
            return f"{_entry_names(raw, container)[0]}: missing {', '.join(missing)}"
        unknown = sorted(
            str(k) for k, kind in zip(keys, kinds, strict=True) if kind == "extra_forbidden"
        )
        if unknown:
            allowed = ", ".join(sorted(_model_at(container).model_fields))
            where = _entry_names(raw, container)[0]
            return f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {allowed}"
    return _worded(first, raw)


def _worded(problem: Mapping[str, Any], raw: Any) -> str:
    kind, loc, value = problem["type"], problem["loc"], problem.get("input")
    context = problem.get("ctx") or {}
    if isinstance(context.get("error"), PilotConfigError):
        return str(context["error"])  # a rule across entries: worded where it was broken
    if kind == "model_type":
        return f"{_entry_names(raw, loc)[0]}: expected a mapping, got {type(value).__name__}"
    entry, field = loc[:-1], str(loc[-1])
    if kind == "list_type":
        where = field if not entry else f"{_entry_names(raw, entry)[1]} {field}"
        return f"{where}: expected a list, got {type(value).__name__}"
    indexed, named = _entry_names(raw, entry)
    where = indexed if field == _naming_field(entry) else named
    if kind == "string_type":
        hint = f' (write it quoted: "{value}")' if isinstance(value, int) else ""
        return f"{where}: {field} must be a string, got {value!r}{hint}"
    if kind == "empty":
        return f"{where}: {field} is empty"
    if kind == "bool_type":
        return f"{where}: {field} must be true or false, got {value!r}"
    if kind == "email":
        return f"{where}: email {context['value']!r} is not an email address"
    if kind == "kemendagri_regency":
        region = _entry_names(raw, entry[:-2])[1]
        return (
            f'{region}: regency "{context["value"]}" is not a Kemendagri kabupaten/kota code '
            f"(see api/data/regions/regencies.csv)"
        )
    if kind == "kemendagri_province":
        return (
            f"{named}: {context['value']} is not a Kemendagri province code "
            f"(see api/data/regions/provinces.csv)"
        )
    if kind == "office_type":
        allowed = ", ".join(t.value for t in OfficeType if t in REGENCY_OFFICE_TYPES)
        return f'{where}: unknown office type "{context["value"]}"; allowed: {allowed}'
    return f"{where}: {field}: {problem['msg']}"


def _naming_field(entry: Loc) -> str | None:
    if len(entry) < 2 or not isinstance(entry[-1], int):
        return None
    return _NAMING_FIELD.get(str(entry[-2]))


def _entry_names(raw: Any, entry: Loc) -> tuple[str, str]:
    """How messages name the mapping at ``entry``: (by position, by its own name)."""
    if not entry:
        return "top level", "top level"
    parent, last = entry[:-1], entry[-1]
    if entry == ("national_desk",):
        return "national_desk", "national_desk"
    if last == "office":  # a coordination region's desk
        region = _entry_names(raw, parent)[1]
        return f"{region} office", f"{region} office"
    kind = parent[-1]
    indexed = f"{kind}[{last}]" if len(parent) == 1 else ""
    name = _text_at(raw, entry, _NAMING_FIELD.get(str(kind), "code"))
    if kind == "coordination_regions":
        return indexed, f"coordination region {name}" if name else indexed
    if kind == "provincial_offices":
        return indexed, f'provincial office for province "{name}"' if name else indexed
    if kind == "regencies":
        region_entry = parent[:-1]
        indexed = f"{_entry_names(raw, region_entry)[1]} regencies[{last}]"
        known = kemendagri_regencies().get(name or "")
        region_code = _text_at(raw, region_entry, "code")
        if known is None or region_code is None:
            return indexed, indexed
        return indexed, regency_place(known.code, known.name, region_code)
    # an office of a pilot regency
    regency = _entry_names(raw, parent[:-1])[1]
    indexed = f"{regency} offices[{last}]"
    return indexed, f"{regency} office {name}" if name else indexed


def _text_at(raw: Any, entry: Loc, key: str) -> str | None:
    """The stripped string ``raw`` holds at ``entry``'s ``key``, or None where it has none."""
    for part in entry:
        try:
            raw = raw[part]
        except (KeyError, IndexError, TypeError):
            return None
    value = raw.get(key) if isinstance(raw, Mapping) else None
    return value.strip() or None if isinstance(value, str) else None


def _model_at(entry: Loc) -> type[BaseModel]:
    model: type[BaseModel] = PilotFile
    item: type[BaseModel] = PilotFile
    for part in entry:
        if isinstance(part, int):
            model = item
            continue
        annotation = model.model_fields[part].annotation
        listed = get_args(annotation)
        if listed:
            item = listed[0]
        else:
            model = annotation
    return model
