"""Consent rules: the notice a user is shown, their current status, and the exportable record.

Law 94-V Art. 8 expects a consent to name the operator, the data, the purposes, the term, any
transfer to third parties or abroad, and how to withdraw it. The notice is rendered from the
locale files and settings, and its exact text is hashed into every consent record.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.formatting import esc
from storage import consents
from storage.consents import ConsentRecord, notice_hash
from storage.db import Database, Executor

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


def list_items(text: str) -> list[str]:
    """A settings list as items: split on ';' when there is one (items may hold commas), else ','."""
    separator = ";" if ";" in text else ","
    return [part.strip() for part in text.split(separator) if part.strip()]


def _transfer(t: Translate, on: bool, key: str, **items: str) -> str:
    return t(key, **{name: esc(value) for name, value in items.items()}) if on else t("consent-transfer-none")


def render_notice(t: Translate, settings: Settings, *, version_label: str, language: str) -> str:
    terms = settings.consent_terms(language)
    return t(
        "consent-notice",
        operator=esc(settings.operator_name_in(language)),
        id_label=t(f"consent-id-label-{settings.operator_id_kind}"),
        bin=esc(settings.operator_bin),
        version=version_label,
        data=esc(terms["data"]),
        purposes=esc(terms["purposes"]),
        term=esc(terms["term"]),
        third_parties=_transfer(t, settings.consent_third_parties, "consent-transfer-recipients", recipients=terms["recipients"]),
        cross_border=_transfer(t, settings.consent_cross_border, "consent-transfer-countries", countries=terms["countries"]),
        contact=esc(settings.operator_contact),
    )


SNAPSHOT_VERSION = 1


def notice_snapshot(settings: Settings, *, language: str, policy_version: str, notice_text: str) -> dict[str, Any]:
    """What the person was shown, as data: stored with the consent record, read by the export.

    Today's settings may change tomorrow; the record must still say what this decision covered.
    Field names follow ISO/IEC TS 27560 where it has one (purposes, pii_categories, ...).
    """
    terms = settings.consent_terms(language)
    return {
        "snapshot_version": SNAPSHOT_VERSION,
        "policy_version": policy_version,
        "language": language,
        "notice_sha256": notice_hash(notice_text),
        "controller": {
            "name": settings.operator_name_in(language),
            "identifier": {"scheme": f"KZ-{settings.operator_id_kind.upper()}", "value": settings.operator_bin},
            "contact": settings.operator_contact,
        },
        "purposes": list_items(terms["purposes"]),
        "pii_categories": list_items(terms["data"]),
        "storage_term": terms["term"],
        "third_party_disclosure": settings.consent_third_parties,
        "third_party_recipients": list_items(terms["recipients"]) if settings.consent_third_parties else [],
        "cross_border_transfer": settings.consent_cross_border,
        "cross_border_countries": list_items(terms["countries"]) if settings.consent_cross_border else [],
    }


_STATE = {"given": "active", "declined": "refused", "withdrawn": "withdrawn"}
EXPORT_RECORD_SCHEMA = "ISO/IEC TS 27560:2023 consent record"


def iso27560_record(record: ConsentRecord, notice_text: str | None, *, is_latest: bool) -> dict[str, Any]:
    """One consent record with the mandatory fields of an ISO/IEC TS 27560 consent record.

    Everything about what was agreed comes from the record's own snapshot. Records made before
    snapshots were kept (schema 0009) have none: their fields are null and the notice text, kept
    by its hash since the first record, is the evidence of what was shown.
    """
    snapshot = record.snapshot or {}
    state = _STATE[record.decision]
    if record.decision == "given" and not is_latest:
        state = "superseded"
    return {
        "schema": EXPORT_RECORD_SCHEMA,
        "schema_version": SNAPSHOT_VERSION if record.snapshot else None,
        "record_id": record.record_uid,
        "record_number": record.id,
        "pii_principal_id": f"telegram:{record.user_id}",
        "controller": snapshot.get("controller"),
        "jurisdiction": "KZ",
        "legal_basis": "consent, Law of the Republic of Kazakhstan No. 94-V 'On Personal Data and Their Protection', Art. 7-8",
        "notice": {
            "type": "privacy notice and consent request",
            "policy_version": record.policy_version,
            "sha256": record.notice_sha256,
            "text": notice_text,
        },
        "language": record.language,
        "purposes": snapshot.get("purposes"),
        "pii_categories": snapshot.get("pii_categories"),
        "storage_term": snapshot.get("storage_term"),
        "third_party_disclosure": snapshot.get("third_party_disclosure"),
        "third_party_recipients": snapshot.get("third_party_recipients"),
        "cross_border_transfer": snapshot.get("cross_border_transfer"),
        "cross_border_countries": snapshot.get("cross_border_countries"),
        "withdrawal_method": "Telegram bot command /consent"
        + (", or a request to " + snapshot["controller"]["contact"] if snapshot.get("controller") else ""),
        "event": {
            "time": record.created_at,
            "type": record.decision,
            "state": state,
            "channel": record.channel,
        },
        "record_created_at": record.created_at,
    }


async def decide(
    db: Database, settings: Settings, *, user_id: int, policy_version: str, language: str, decision: str,
    notice_text: str, now: datetime,
) -> ConsentRecord:
    """The person gives or declines consent to the notice `notice_text`: one record, with the snapshot."""
    snapshot = notice_snapshot(settings, language=language, policy_version=policy_version, notice_text=notice_text)
    return await consents.record_decision(
        db, user_id=user_id, policy_version=policy_version, language=language, decision=decision,
        notice_text=notice_text, now=now, snapshot=snapshot,
    )


class DecisionOutcome(enum.StrEnum):
    RECORDED = "recorded"
    ALREADY_GIVEN = "already_given"  # given to this very version before: nothing recorded
    OUTDATED = "outdated"            # the notice answered is not the current version's


@dataclass(frozen=True)
class NoticeAnswer:
    outcome: DecisionOutcome
    record: ConsentRecord | None  # the new record, or the consent already given; None if outdated


async def answer_notice(
    db: Database, settings: Settings, *, user_id: int, policy_version: str, current_version: str, language: str,
    decision: str, notice_text: str, now: datetime,
) -> NoticeAnswer:
    """The person presses "I agree" / "I do not agree" under the notice for `policy_version`:
    checked against the current version and the last decision, then recorded (the record, the
    notice text, the snapshot, the audit entry) in one transaction."""
    if policy_version != current_version:
        return NoticeAnswer(DecisionOutcome.OUTDATED, None)
    snapshot = notice_snapshot(settings, language=language, policy_version=policy_version, notice_text=notice_text)
    async with db.transaction() as tx:
        latest = await consents.latest(tx, user_id)
        if decision == "given" and latest and latest.decision == "given" and latest.policy_version == policy_version:
            return NoticeAnswer(DecisionOutcome.ALREADY_GIVEN, latest)
        record = await consents.insert_decision(
            tx, user_id=user_id, policy_version=policy_version, language=language, decision=decision,
            notice_text=notice_text, now=now, snapshot=snapshot,
        )
    return NoticeAnswer(DecisionOutcome.RECORDED, record)


async def latest_decision(db: Executor, user_id: int) -> ConsentRecord | None:
    return await consents.latest(db, user_id)


async def decisions(db: Executor, user_id: int) -> list[ConsentRecord]:
    """Newest first: what /consent lists."""
    return await consents.history(db, user_id)


async def status_now(db: Executor, user_id: int, current_version: str) -> ConsentStatus:
    """Where /start leads: the notice if consent is due, else home."""
    return consent_status(await consents.latest(db, user_id), current_version)
