"""Consent rules: the notice a user is shown, their current status, and the exportable record.

Law 94-V Art. 8 expects a consent to name the operator, the data, the purposes, the term, any
transfer to third parties or abroad, and how to withdraw it. The notice is rendered from the
locale files and settings, and its exact text is hashed into every consent record.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from bot.config import Settings
from bot.formatting import esc
from storage.consents import ConsentRecord

Translate = Callable[..., str]


class ConsentStatus(enum.StrEnum):
    NONE = "none"            # never decided
    GIVEN = "given"          # given for the current policy version
    OUTDATED = "outdated"    # given, but for an older version: ask again
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


def consent_status(latest: ConsentRecord | None, current_version: str) -> ConsentStatus:
    if latest is None:
        return ConsentStatus.NONE
    if latest.decision == "given":
        return ConsentStatus.GIVEN if latest.policy_version == current_version else ConsentStatus.OUTDATED
    return ConsentStatus(latest.decision)


def has_active_consent(latest: ConsentRecord | None) -> bool:
    """Consent in force (for any version): what storing contact data and advertising need."""
    return latest is not None and latest.decision == "given"


def render_notice(t: Translate, settings: Settings, *, version_label: str, language: str) -> str:
    terms = settings.consent_terms(language)
    return t(
        "consent-notice",
        operator=esc(settings.operator_name),
        bin=esc(settings.operator_bin),
        version=version_label,
        data=esc(terms["data"]),
        purposes=esc(terms["purposes"]),
        term=esc(terms["term"]),
        third_parties=t("yes") if settings.consent_third_parties else t("no"),
        cross_border=t("yes") if settings.consent_cross_border else t("no"),
        contact=esc(settings.operator_contact),
    )


_STATE = {"given": "active", "declined": "refused", "withdrawn": "withdrawn"}


def _items(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def iso27560_record(
    record: ConsentRecord, settings: Settings, notice_text: str | None, *, is_latest: bool
) -> dict[str, Any]:
    """One consent record with the mandatory fields of an ISO/IEC TS 27560 consent record."""
    terms = settings.consent_terms(record.language)
    state = _STATE[record.decision]
    if record.decision == "given" and not is_latest:
        state = "superseded"
    return {
        "schema": "ISO/IEC TS 27560:2023 consent record",
        "record_id": record.record_uid,
        "record_number": record.id,
        "pii_principal_id": f"telegram:{record.user_id}",
        "controller": {
            "name": settings.operator_name,
            "identifier": {"scheme": "KZ-BIN", "value": settings.operator_bin},
            "contact": settings.operator_contact,
        },
        "jurisdiction": "KZ",
        "legal_basis": "consent, Law of the Republic of Kazakhstan No. 94-V 'On Personal Data and Their Protection', Art. 7-8",
        "notice": {
            "type": "privacy notice and consent request",
            "policy_version": record.policy_version,
            "sha256": record.notice_sha256,
            "text": notice_text,
        },
        "language": record.language,
        "purposes": _items(terms["purposes"]),
        "pii_categories": _items(terms["data"]),
        "storage_term": terms["term"],
        "third_party_disclosure": settings.consent_third_parties,
        "cross_border_transfer": settings.consent_cross_border,
        "withdrawal_method": "Telegram bot command /consent, or a request to " + settings.operator_contact,
        "event": {
            "time": record.created_at,
            "type": record.decision,
            "state": state,
            "channel": record.channel,
        },
    }
