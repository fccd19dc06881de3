"""What changed between two policy versions: sections added, removed and changed.

Plain Python on purpose (no aiogram): staff see it before publishing, users in the notice.
Sections are matched by their number ("1", "2", ...); the unnumbered preamble matches the
preamble. A section whose text differs in anything but whitespace counts as changed.

A language the previous version lacked is a *new language version*, not a document whose every
section is new: its readers used to read the other language, so what changed for them is what
changed in that language, shown with the new language's sections (matched by number).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.policy import PolicyDocument, PolicySection, PolicyVersion

__all__ = ["PolicyDiff", "diff_documents", "diff_for_reader", "diff_versions"]


@dataclass(frozen=True)
class PolicyDiff:
    language: str
    added: tuple[PolicySection, ...]     # sections of the new document
    removed: tuple[PolicySection, ...]   # sections of the old document
    changed: tuple[PolicySection, ...]   # sections of the new document
    title_changed: bool = False
    # The first text in this language: the lists above are the changes a reader of the other
    # language would have seen (empty when there is nothing to compare with).
    new_language: bool = False

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.title_changed or self.new_language)

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


def diff_for_reader(previous: PolicyVersion | None, new: PolicyVersion, language: str) -> PolicyDiff:
    """What changed for a reader of `language` (who reads the other language where it is missing)."""
    document, _ = new.document(language)
    if previous is None:
        return diff_documents(None, document)
    old = previous.documents.get(document.language)
    if old is not None:
        return diff_documents(old, document)
    # New language version: the reader read the other language until now.
    before, _ = previous.document(language)
    after = new.documents.get(before.language)
    base = diff_documents(before, after) if after is not None else PolicyDiff(before.language, (), (), ())
    by_number = {_key(s): s for s in document.sections}

    def in_new_language(sections: tuple[PolicySection, ...]) -> tuple[PolicySection, ...]:
        return tuple(by_number[_key(s)] for s in sections if _key(s) in by_number)

    return PolicyDiff(
        document.language,
        added=in_new_language(base.added),
        removed=base.removed,
        changed=in_new_language(base.changed),
        new_language=True,
    )


def diff_versions(old: PolicyVersion | None, new: PolicyVersion) -> dict[str, PolicyDiff]:
    """Per language of the new version, for the staff's review. A language the old version
    lacked is marked as a new language version (its sections are all `added`)."""
    diffs = {}
    for language in new.languages:
        previous = old.documents.get(language) if old else None
        diff = diff_documents(previous, new.documents[language])
        if old is not None and previous is None:
            diff = PolicyDiff(language, diff.added, (), (), new_language=True)
        diffs[language] = diff
    return diffs
