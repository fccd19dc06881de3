"""What changed between two policy versions: sections added, removed and changed.

Plain Python on purpose (no aiogram): staff see it before publishing, users in the notice.
Sections are matched by their number ("1", "2", ...); the unnumbered preamble matches the
preamble. A section whose text differs in anything but whitespace counts as changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.policy import PolicyDocument, PolicySection, PolicyVersion

__all__ = ["PolicyDiff", "diff_documents", "diff_versions"]


@dataclass(frozen=True)
class PolicyDiff:
    language: str
    added: tuple[PolicySection, ...]     # sections of the new document
    removed: tuple[PolicySection, ...]   # sections of the old document
    changed: tuple[PolicySection, ...]   # sections of the new document
    title_changed: bool = False

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.title_changed)

    @property
    def to_read(self) -> tuple[PolicySection, ...]:
        """New or changed sections, in document order: what a user should read."""
        return tuple(sorted(self.added + self.changed, key=lambda s: s.index))


def _key(section: PolicySection) -> str:
    return section.number if section.number is not None else ""


def _normalized(section: PolicySection) -> tuple[str, ...]:
    return tuple(" ".join(line.split()) for line in section.lines)


def diff_documents(old: PolicyDocument | None, new: PolicyDocument) -> PolicyDiff:
    """Compare two documents of one language; `old` None means every section is new."""
    if old is None:
        return PolicyDiff(new.language, added=new.sections, removed=(), changed=())
    before = {_key(s): s for s in old.sections}
    after = {_key(s): s for s in new.sections}
    added = tuple(s for s in new.sections if _key(s) not in before)
    removed = tuple(s for s in old.sections if _key(s) not in after)
    changed = tuple(
        s for s in new.sections if _key(s) in before and _normalized(before[_key(s)]) != _normalized(s)
    )
    return PolicyDiff(new.language, added, removed, changed, title_changed=(old.title or "") != (new.title or ""))


def diff_versions(old: PolicyVersion | None, new: PolicyVersion) -> dict[str, PolicyDiff]:
    """Per language of the new version; a language the old version lacked is all new."""
    return {
        language: diff_documents(old.documents.get(language) if old else None, new.documents[language])
        for language in new.languages
    }
