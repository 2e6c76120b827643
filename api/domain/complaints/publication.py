"""What of a complaint the public may read: one rule for every public listing.

Citizens write who they are and whom they accuse into their complaints ("Saya Siti Aminah,
HP 0812-3456-7890 …"). Published word for word, an ANONIM pungli complaint told the
accused who complained. So:

* A complaint's own words (its description, its street address and map point) are public
  only when its category says its texts may be (``public_description`` in
  ``api/data/complaint_categories.yaml``: not for any kind about a person — a proposed or
  contested recipient, wrong data, pungli, a card or an account) and the reporter chose
  neither ANONIM nor RAHASIA (a RAHASIA complaint is never listed at all).
* Wherever a text is public, what identifies a person is masked: runs of 16 digits (a NIK
  or a family card number: the two cannot be told apart), telephone numbers and e-mail
  addresses.
* The place is given as the kecamatan only, never the desa/kelurahan: a village can be
  small enough for "a complaint about aid in village X" to name the household.

Pure: text in, text out. The Open311 mapping (``open311.request_record``) applies it.
"""

from __future__ import annotations

import re

from api.domain.complaints.categories import Category
from api.domain.vocabulary import Privacy

NIK_PLACEHOLDER = "[NIK]"
PHONE_PLACEHOLDER = "[telepon]"
EMAIL_PLACEHOLDER = "[email]"

# 16 ASCII digits or more, each pair separated by at most one space, dot or dash (any
# Unicode space or dash: people paste from everywhere). NIK and KK are both 16 digits.
_SEPARATOR = r"[\s.\-\u2010-\u2015]"
_DIGIT_RUN = re.compile(rf"(?<![0-9])[0-9](?:{_SEPARATOR}?[0-9]){{15,}}(?![0-9])")
# An Indonesian telephone number: +62 or 62 then a mobile 8…, or 0 then an area code or a
# mobile prefix; 9 to 14 digits in all, single separators or brackets allowed. Amounts
# ("Rp 1.500.000") never start with 0 or 62 8, so they stay readable.
_PHONE = re.compile(
    rf"(?<![0-9+])(?:\+62|62(?={_SEPARATOR}?\(?8)|\(?0)"
    rf"(?:[\s.\-\u2010-\u2015()]{{0,2}}[0-9]){{8,13}}(?![0-9])"
)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def description_is_public(category: Category | None, privacy: str) -> bool:
    """Whether a complaint's own words may appear in a public listing at all."""
    if category is None or not category.public_description:
        return False
    return privacy == Privacy.BIASA


def masked(text: str | None) -> str | None:
    """``text`` with NIK/KK-like numbers, telephone numbers and e-mail addresses masked."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_PLACEHOLDER, text)
    text = _DIGIT_RUN.sub(NIK_PLACEHOLDER, text)
    return _PHONE.sub(PHONE_PLACEHOLDER, text)


def public_text(text: str | None, *, category: Category | None, privacy: str) -> str | None:
    """The complaint's own text as a public listing may show it, or None."""
    return masked(text) if description_is_public(category, privacy) else None


def public_area(district_code: str | None, village_code: str | None) -> str | None:
    """The kecamatan code of a complaint's domicile (a desa code names its kecamatan in its
    first six digits); never the desa/kelurahan itself."""
    if district_code:
        return district_code
    return village_code[:6] if village_code else None
