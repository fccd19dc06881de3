"""Policy publication: staging uploaded files, publishing a version with its notice, scheduled
versions taking effect on their date, and withdrawing a scheduled version.

Plain Python (no aiogram). Hidden folders under POLICY_DIR are ignored by the loader, so:

    POLICY_DIR/.staging/ru.md          files sent to the admin chat, validated, not yet dated
    POLICY_DIR/.pending/2026-04-01/    a version prepared for publishing, waiting for confirmation
    POLICY_DIR/.installing/2026-04-01/ a copy being made; renamed into place when complete
    POLICY_DIR/2026-04-01/             installed (before the publication is committed)
    POLICY_DIR/.withdrawn/...          versions withdrawn before their date

Which versions users see is decided by the publications recorded in the database: a folder
added by hand (or installed by a publication that crashed before its commit) is not current
until an operator publishes it. Publishing is one transaction: the publication record, its
audit entry and the notice broadcast with all its recipients (`publish_version`); the files are
put in place first, idempotently, so the commit is the only moment that decides. A publication
whose notice was never created (a crash in an older version of this code) gets it at start-up
(`resume_notices`); a notice interrupted while sending is resumed by the broadcaster.

A version whose date is in the future is announced at once and becomes current on its date
(`PolicySchedule`): consent given for the version in force stays valid until then.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import filecmp
import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.background import BackgroundLoop
from bot.clock import Clock, Sleep
from bot.policy import (
    SUPPORTED_LANGUAGES,
    PolicyDocument,
    PolicyError,
    PolicyLibrary,
    PolicyVersion,
    _load_version,
    load_policy_library,
    parse_policy,
)
from storage import audit, broadcasts, policy_versions
from storage.db import Database

log = logging.getLogger(__name__)

STAGING = ".staging"
PENDING = ".pending"
INSTALLING = ".installing"
WITHDRAWN = ".withdrawn"
FILE_NAME = re.compile(r"^(kk|ru)\.(md|txt)$", re.IGNORECASE)
VERSION_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PublishRefused(Exception):
    """A publication or withdrawal that cannot be done; `reason` names the locale message
    (pp-refused-<reason>) and `details` its arguments."""

    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


# ------------------------------------------------------------------------------ files

def policy_file_language(file_name: str | None) -> tuple[str, str] | None:
    """'ru.md' → ('ru', '.md'); anything else → None."""
    match = FILE_NAME.match(file_name or "")
    return (match.group(1).lower(), "." + match.group(2).lower()) if match else None


def decode(raw: bytes, file_name: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{file_name} is not valid UTF-8; save it with UTF-8 encoding", key="compliance-policy-not-utf8", file=file_name) from exc
    if not text.strip():
        raise PolicyError(f"{file_name} is empty", key="compliance-policy-empty", file=file_name)
    return text


def stage(policy_dir: Path, language: str, suffix: str, text: str) -> PolicyDocument:
    """Validate an uploaded file and keep it in the staging folder (replacing an earlier one)."""
    document = parse_policy(text, version="staged", language=language)
    folder = policy_dir / STAGING
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{language}.*"):
        old.unlink()
    (folder / f"{language}{suffix}").write_text(text, encoding="utf-8")
    return document


def staged_languages(policy_dir: Path) -> list[str]:
    folder = policy_dir / STAGING
    return [lang for lang in SUPPORTED_LANGUAGES if folder.is_dir() and any(folder.glob(f"{lang}.*"))]


def check_version_name(version: str) -> datetime.date:
    if not VERSION_NAME.match(version):
        raise PolicyError(f"{version!r} is not a date YYYY-MM-DD", key="compliance-policy-not-a-date", value=version)
    try:
        return datetime.date.fromisoformat(version)
    except ValueError:
        raise PolicyError(f"{version!r} is not a valid date", key="compliance-policy-invalid-date", value=version) from None


def prepare_from_staging(policy_dir: Path, version: str) -> PolicyVersion:
    """Copy the staged files to .pending/<version>/ and parse them as that version.

    Copied, not moved: the staged files stay until they are published or the operator declines,
    so a second `/publish_policy` with another date still finds them.
    """
    check_version_name(version)
    if (policy_dir / version).exists():
        raise PolicyError(f"version {version} already exists in the policy folder", key="compliance-policy-version-exists", version=version)
    staging = policy_dir / STAGING
    files = [p for p in sorted(staging.glob("*")) if p.is_file()] if staging.is_dir() else []
    if not files:
        raise PolicyError("no kk/ru policy files were sent", key="compliance-policy-no-files")
    target = policy_dir / PENDING / version
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for path in files:
        shutil.copy2(path, target / path.name)
    return _load_version(target, None)


def load_candidate(policy_dir: Path, version: str) -> PolicyVersion | None:
    """A version waiting for publication: prepared from files, or a folder added by hand."""
    check_version_name(version)  # names a folder: never another path
    for folder in (policy_dir / PENDING / version, policy_dir / version):
        if folder.is_dir():
            return _load_version(folder, None)
    return None


def _same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir() if p.is_file())
    if names != sorted(p.name for p in b.iterdir() if p.is_file()):
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    return not mismatch and not errors


def _fsync(path: Path) -> None:
    """Flush a file or folder to disk before the rename/commit that relies on it. Best effort:
    a folder cannot be opened for fsync everywhere (Windows)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def install_files(policy_dir: Path, version: str) -> None:
    """Put a prepared version into POLICY_DIR/<version>/; safe to repeat, safe to crash in.

    The files are copied into .installing/ and the complete folder renamed into place (atomic on
    one file system), so POLICY_DIR never holds half a version. Before the publication is
    committed such a folder is only "in the folder, not published"; repeating the publication
    finds it and goes on. A folder added by hand (no prepared copy) is used as it is.
    """
    target = policy_dir / version
    pending = policy_dir / PENDING / version
    if target.is_dir():
        if pending.is_dir() and not _same_files(pending, target):
            raise PolicyError(f"version {version} already exists in the policy folder", key="compliance-policy-version-exists", version=version)
        return
    if not pending.is_dir():
        raise PolicyError(f"no files were prepared for version {version}", key="compliance-policy-no-files")
    work = policy_dir / INSTALLING / version
    if work.exists():
        shutil.rmtree(work)
    work.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(pending, work)
    for path in work.iterdir():
        _fsync(path)
    os.rename(work, target)
    _fsync(policy_dir)


def forget_prepared(policy_dir: Path, version: str) -> None:
    """After the commit: the prepared copy and the staged files it came from are done with."""
    target = policy_dir / version
    shutil.rmtree(policy_dir / PENDING / version, ignore_errors=True)
    staging = policy_dir / STAGING
    if staging.is_dir() and target.is_dir():
        for path in staging.iterdir():
            published = target / path.name
            if path.is_file() and published.is_file() and filecmp.cmp(path, published, shallow=False):
                path.unlink()


def discard_prepared(policy_dir: Path, version: str) -> None:
    """The operator declined: the prepared copy and the staged files are removed, so the next
    upload and `/publish_policy` start clean. A folder added by hand is left alone."""
    check_version_name(version)  # names a folder: never another path
    shutil.rmtree(policy_dir / PENDING / version, ignore_errors=True)
    shutil.rmtree(policy_dir / STAGING, ignore_errors=True)


def _move_withdrawn(policy_dir: Path, version: str, now: datetime.datetime) -> None:
    folder = policy_dir / version
    if folder.is_dir():
        target = policy_dir / WITHDRAWN / f"{version}-withdrawn-{now:%Y%m%dT%H%M%S}"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(folder, target)


def tidy(policy_dir: Path, published: set[str]) -> None:
    """At start-up: leftovers of publications that were committed (or crashed mid-copy)."""
    shutil.rmtree(policy_dir / INSTALLING, ignore_errors=True)
    for version in published:
        shutil.rmtree(policy_dir / PENDING / version, ignore_errors=True)


# ------------------------------------------------------------------------------ dates

def local_today(clock: Clock, tz: ZoneInfo) -> datetime.date:
    """The date in the operator's zone: a version takes effect at 00:00 there."""
    return clock.now().astimezone(tz).date()


def latest_allowed(today: datetime.date) -> datetime.date:
    """One year ahead at most: a date beyond is almost surely a typo (9999-12-31), and a version
    announced that early would leave users with a notice they cannot act on for years."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def check_effective_date(effective: datetime.date, library: PolicyLibrary, today: datetime.date) -> None:
    """Raises PublishRefused: not after the version in force, more than a year ahead, or taken."""
    current = library.current.effective_date
    if any(v.effective_date == effective for v in library.scheduled):
        raise PublishRefused("already-published", version=effective)
    if effective <= current:
        raise PublishRefused("too-early", current=current)
    if effective > latest_allowed(today):
        raise PublishRefused("too-late", latest=latest_allowed(today))


def effective_library(full: PolicyLibrary, published: set[str], today: datetime.date | None = None) -> PolicyLibrary:
    """Published versions only; those whose date has not come yet are scheduled, not current."""
    live = [v for v in full.versions if v.version in published]
    if not live:
        return full
    in_force = [v for v in live if today is None or v.effective_date <= today]
    scheduled = [v for v in live if v not in in_force]
    if not in_force:  # only future versions were ever published (a future folder at first start)
        in_force, scheduled = scheduled[:1], scheduled[1:]
    return PolicyLibrary(versions=tuple(in_force), scheduled=tuple(scheduled))


def take_effect(library: PolicyLibrary, today: datetime.date) -> tuple[PolicyLibrary, list[PolicyVersion]]:
    """Scheduled versions whose date has come move into force."""
    due = [v for v in library.scheduled if v.effective_date <= today]
    if not due:
        return library, []
    rest = tuple(v for v in library.scheduled if v not in due)
    return PolicyLibrary(versions=library.versions + tuple(due), scheduled=rest), due


def previous_of(library: PolicyLibrary, version: PolicyVersion) -> PolicyVersion | None:
    return library.previous_of(version)


# ------------------------------------------------------------------------------ services

@dataclass(frozen=True)
class Published:
    version: PolicyVersion
    library: PolicyLibrary        # what users see from now on (install it)
    broadcast_id: int             # the notice, already running
    scheduled: bool               # takes effect on its date, not now


@dataclass(frozen=True)
class Withdrawn:
    version: PolicyVersion
    library: PolicyLibrary
    broadcast_id: int | None      # the notice, stopped if it was still being sent


async def publish_version(
    db: Database,
    *,
    policy_dir: Path,
    version: str,
    library: PolicyLibrary,
    operator_id: int,
    locale: str,
    paid: bool,
    now: datetime.datetime,
    today: datetime.date,
    progress_chat_id: int | None = None,
) -> Published:
    """An operator confirmed a version: put its files in place, then in ONE transaction record
    the publication (audited with the operator's id) and create its notice broadcast with every
    recipient. Raises PublishRefused or PolicyError; nothing is recorded then.
    """
    effective = check_version_name(version)
    candidate = load_candidate(policy_dir, version)
    if candidate is None:
        raise PublishRefused("no-files")
    check_effective_date(effective, library, today)
    install_files(policy_dir, version)
    full = load_policy_library(policy_dir)  # every folder must still load: users read them all
    actor = audit.operator_actor(operator_id)
    scheduled = effective > today
    async with db.transaction() as tx:
        if not await policy_versions.insert_publication(tx, version, actor=actor, now=now, in_force=not scheduled):
            raise PublishRefused("already-published", version=effective)
        broadcast_id = await broadcasts.create_running_in(
            tx, kind="policy", created_by=operator_id, locale=locale, now=now, actor=actor,
            policy_version=version, paid=paid, progress_chat_id=progress_chat_id,
        )
        await policy_versions.set_broadcast(tx, version, broadcast_id)
    forget_prepared(policy_dir, version)
    published = await policy_versions.published_versions(db)
    new_library = effective_library(full, published, today)
    installed = new_library.get(version)
    assert installed is not None
    return Published(installed, new_library, broadcast_id, scheduled)


async def withdraw_version(
    db: Database,
    *,
    policy_dir: Path,
    version: str,
    library: PolicyLibrary,
    operator_id: int,
    now: datetime.datetime,
    today: datetime.date,
) -> Withdrawn:
    """Withdraw a scheduled version before its date: the publication is marked withdrawn and its
    notice stopped if still being sent (one transaction), then its folder is moved aside so the
    date can be published again. Users already told are not told automatically."""
    target = library.get(version)
    if target is None or not library.is_scheduled(target):
        raise PublishRefused("not-scheduled")
    if target.effective_date <= today:
        raise PublishRefused("not-scheduled")
    actor = audit.operator_actor(operator_id)
    async with db.transaction() as tx:
        publication = await policy_versions.withdraw(tx, version, actor=actor, now=now)
        if publication is None:
            raise PublishRefused("not-scheduled")
        if publication.broadcast_id is not None:
            await broadcasts.cancel_in(tx, publication.broadcast_id, actor=actor, now=now)
    _move_withdrawn(policy_dir, version, now)
    new_library = PolicyLibrary(
        versions=library.versions, scheduled=tuple(v for v in library.scheduled if v.version != version)
    )
    return Withdrawn(target, new_library, publication.broadcast_id)


async def load_published_library(
    db: Database, *, policy_dir: Path, clock: Clock, tz: ZoneInfo, full: PolicyLibrary | None = None,
) -> PolicyLibrary:
    """At start-up: what users see. The first start counts the folders on disk as published;
    scheduled versions whose date came while the bot was down take effect now."""
    full = full or load_policy_library(policy_dir)
    await policy_versions.record_baseline(db, [v.version for v in full.versions], clock.now())
    published = await policy_versions.published_versions(db)
    tidy(policy_dir, published)
    library = effective_library(full, published, local_today(clock, tz))
    await policy_versions.mark_in_force(db, [v.version for v in library.versions], clock.now())
    return library


async def resume_notices(
    db: Database, *, library: PolicyLibrary, locale: str, paid: bool, now: datetime.datetime,
    progress_chat_id: int | None,
) -> list[int]:
    """At start-up: a publication without its notice broadcast gets one now (the broadcaster
    then sends it like any running broadcast). Returns the broadcasts created."""
    created = []
    for publication in await policy_versions.without_notice(db):
        if library.get(publication.version) is None:
            continue  # its folder is gone: nothing users could read; it stays listed for the staff
        operator_id = int(publication.published_by.partition(":")[2] or 0)
        async with db.transaction() as tx:
            broadcast_id = await broadcasts.create_running_in(
                tx, kind="policy", created_by=operator_id, locale=locale, now=now, actor=audit.SYSTEM,
                policy_version=publication.version, paid=paid, progress_chat_id=progress_chat_id,
            )
            await policy_versions.set_broadcast(tx, publication.version, broadcast_id)
            await audit.record(
                tx, at=now, actor=audit.SYSTEM, event="policy_notice_resumed", subject_user_id=None,
                details={"version": publication.version, "broadcast_id": broadcast_id},
            )
        log.warning("policy %s had no notice: broadcast %s created", publication.version, broadcast_id)
        created.append(broadcast_id)
    return created


class PolicySchedule:
    """Makes a scheduled version current on its date (00:00 in TIMEZONE).

    `tick()` checks once (tests call it after moving the clock); the background loop calls it
    every `interval` seconds. Only the in-memory library changes (through `install`); the
    database records when the version came into force (audited), once.
    """

    def __init__(
        self, db: Database, clock: Clock, tz: ZoneInfo, *,
        library: Callable[[], PolicyLibrary], install: Callable[[PolicyLibrary], None],
        interval: float = 5.0, sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.db = db
        self.clock = clock
        self.tz = tz
        self._library = library
        self._install = install
        self.interval = interval
        self._sleep = sleep
        self._background = BackgroundLoop("policy-schedule", self._loop)
        self._lock = asyncio.Lock()

    async def tick(self) -> list[PolicyVersion]:
        async with self._lock:
            library, due = take_effect(self._library(), local_today(self.clock, self.tz))
            if not due:
                return []
            self._install(library)
            await policy_versions.mark_in_force(self.db, [v.version for v in due], self.clock.now())
            return due

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # keep the loop alive; the next tick tries again
                log.error("policy schedule tick failed: %s", type(error).__name__)
            await self._sleep(self.interval)

    def start(self) -> None:
        self._background.start()

    async def stop(self) -> None:
        await self._background.stop()
