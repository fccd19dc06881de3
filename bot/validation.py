"""Checks for what users type into /mydata corrections."""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

NAME_MAX = 100
_PHONE_CLEAN = re.compile(r"[^\d]")


def clean_name(text: str | None) -> str | None:
    """A name: 1..NAME_MAX printable characters on one line; None if unusable."""
    if text is None:
        return None
    name = " ".join(text.split())
    if not name or len(name) > NAME_MAX:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in name):
        return None
    return name


def clean_email(text: str | None) -> str | None:
    """A syntactically valid address, normalized; no DNS look-up (the bot may run offline)."""
    if not text or len(text) > 254:
        return None
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def clean_phone(text: str | None) -> str | None:
    """Telegram's contact phone ('77011234567' or '+7 701 ...') as '+77011234567'."""
    if not text:
        return None
    digits = _PHONE_CLEAN.sub("", text)
    if not 7 <= len(digits) <= 15:
        return None
    return "+" + digits
