"""Text and number types for request bodies and parameters: what every field accepts.

``Line`` is a one-line text (a name, an id, a filter), ``Text`` a text of several lines (a
description, a note). Both refuse what ``api.domain.text`` refuses, as a validation error
whose type (``text_<problem>``) the error handler turns into a sentence in the person's
language naming the field (messages/<locale>/input.j2). ``DatabaseId`` is an id that fits
the database's BIGINT, so a larger number is a 422, not a database error.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from api.domain.text import text_fault

#: The validation error types of text faults start with this (see api.errors).
TEXT_ERROR_PREFIX = "text_"
BIGINT_MAX = 2**63 - 1


def _checked(*, multiline: bool):
    def check(value: str) -> str:
        fault = text_fault(value, multiline=multiline)
        if fault is not None:
            raise PydanticCustomError(
                f"{TEXT_ERROR_PREFIX}{fault.problem}",
                "contains {code_point} at position {position}, which a text may not hold",
                fault.params,
            )
        return value

    return check


Line = Annotated[str, AfterValidator(_checked(multiline=False))]
Text = Annotated[str, AfterValidator(_checked(multiline=True))]
DatabaseId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
