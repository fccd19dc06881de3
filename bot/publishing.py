"""Policy files on disk for publishing: staging uploaded files, preparing, installing.

Plain Python (no aiogram). Hidden folders under POLICY_DIR are ignored by the loader, so:

    POLICY_DIR/.staging/ru.md          files sent to the admin chat, validated, not yet dated
    POLICY_DIR/.pending/2026-04-01/    a version prepared for publishing, waiting for confirmation
    POLICY_DIR/2026-04-01/             installed on confirmation

Which versions users see is decided by the publications recorded in the database: a folder added
by hand is not current until an operator publishes it (`effective_library`).
"""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

from bot.policy import (
    SUPPORTED_LANGUAGES,
    PolicyDocument,
    PolicyError,
    PolicyLibrary,
    PolicyVersion,
    _load_version,
    parse_policy,
)

STAGING = ".staging"
PENDING = ".pending"
FILE_NAME = re.compile(r"^(kk|ru)\.(md|txt)$", re.IGNORECASE)
VERSION_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
    """Move the staged files to .pending/<version>/ and parse them as that version."""
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
        shutil.move(str(path), target / path.name)
    return _load_version(target, None)


def load_candidate(policy_dir: Path, version: str) -> PolicyVersion | None:
    """A version waiting for publication: prepared from files, or a folder added by hand."""
    for folder in (policy_dir / PENDING / version, policy_dir / version):
        if folder.is_dir():
            return _load_version(folder, None)
    return None


def install(policy_dir: Path, version: str) -> None:
    """On confirmation: a prepared version moves into the policy folder."""
    pending = policy_dir / PENDING / version
    if pending.is_dir():
        if (policy_dir / version).exists():
            raise PolicyError(f"version {version} already exists in the policy folder", key="compliance-policy-version-exists", version=version)
        shutil.move(str(pending), policy_dir / version)


def effective_library(full: PolicyLibrary, published: set[str]) -> PolicyLibrary:
    """Only published versions are shown to users (all of them stay readable)."""
    versions = tuple(v for v in full.versions if v.version in published)
    return PolicyLibrary(versions=versions) if versions else full


def previous_of(library: PolicyLibrary, version: PolicyVersion) -> PolicyVersion | None:
    earlier = [v for v in library.versions if v.effective_date < version.effective_date]
    return earlier[-1] if earlier else None
