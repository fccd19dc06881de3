"""The user's own data as one JSON document (Law 94-V: the right to know what is held)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.consent import iso27560_record
from storage import audit, claims, consents, subject_data, users
from storage.db import Executor, to_iso
from storage.users import User


# 2: consent records read from their own snapshots; claims' attachments; notices received.
EXPORT_SCHEMA_VERSION = 2


async def build_export(db: Executor, settings: Settings, user: User, now: datetime) -> dict[str, Any]:
    records = await consents.history(db, user.id)  # newest first
    consent_items = []
    for position, record in enumerate(reversed(records)):
        notice = await consents.notice_text(db, record.notice_sha256)
        consent_items.append(iso27560_record(record, notice, is_latest=position == len(records) - 1))
    language = user.language or "ru"
    return {
        "schema": "kz-privacy-bot personal data export",
        "schema_version": EXPORT_SCHEMA_VERSION,
        "generated_at": to_iso(now),
        "controller": {
            "name": settings.operator_name_in(language),
            "identifier": {"scheme": f"KZ-{settings.operator_id_kind.upper()}", "value": settings.operator_bin},
            "contact": settings.operator_contact,
        },
        "profile": {
            "telegram_id": user.id,
            "telegram_first_name": user.first_name,
            "telegram_last_name": user.last_name,
            "telegram_username": user.username,
            "telegram_language_code": user.telegram_language,
            "language": user.language,
            "full_name": user.full_name,
            "phone": user.phone,
            "email": user.email,
            "reachable": user.reachable,
            "first_contact_at": user.created_at,
            "updated_at": user.updated_at,
        },
        "consents": consent_items,
        "advertising": {
            "opted_in": user.ads_opt_in,
            "history": [
                {"opted_in": choice.opted_in, "reason": choice.reason, "at": choice.created_at}
                for choice in await users.ads_history(db, user.id)
            ],
        },
        # --- claims and data-subject requests ---
        "claims": await _claims_section(db, user.id),
        "notices_received": [
            {"broadcast_id": n.broadcast_id, "kind": n.kind, "policy_version": n.policy_version,
             "delivery": n.state, "sent_at": n.sent_at or n.started_at}
            for n in await subject_data.notices_received(db, user.id)
        ],
        "audit_trail": [
            {"at": entry.at, "actor": entry.actor, "event": entry.event, "details": entry.details}
            for entry in await audit.entries_for_user(db, user.id)
        ],
    }


async def _claims_section(db: Executor, user_id: int) -> list[dict[str, Any]]:
    attachments: dict[int, list[dict[str, Any]]] = {}
    for item in await subject_data.claim_attachments_for_user(db, user_id):
        attachments.setdefault(item.claim_id, []).append({
            "kind": item.kind, "file_name": item.file_name, "added_at": item.created_at,
            "with_followup": item.followup_id is not None,
        })
    items = []
    for claim in reversed(await claims.for_user(db, user_id)):
        items.append({
            "number": claim.number, "type": claim.type, "text": claim.text, "status": claim.status,
            "registered_at": claim.registered_at, "due_date": claim.due_date, "days": claim.days,
            "days_kind": claim.days_kind, "first_reply_at": claim.first_reply_at, "closed_at": claim.closed_at,
            "resolution": claim.resolution, "refusal_reason": claim.refusal_reason,
            "followups": [{"at": f.created_at, "text": f.text} for f in await claims.followups(db, claim.id)],
            "replies": [{"at": r.created_at, "kind": r.kind, "text": r.text} for r in await claims.replies(db, claim.id)],
            "attachments": attachments.get(claim.id, []),
        })
    return items
