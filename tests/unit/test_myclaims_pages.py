"""Packing a claim's history into pages: within the budget in UTF-16 units, nothing lost or reordered."""

from __future__ import annotations

import html

import pytest

from bot.customer_claims import Block, pack, utf16_len, visible_len


def bodies_back(pages: list[str], heads: set[str]) -> str:
    """The bodies as the reader sees them, headings removed, joined back together."""
    out = []
    for page in pages:
        for part in page.split("\n\n"):
            head, _, body = part.partition("\n")
            assert head in heads, head
            out.append(html.unescape(body))
    return "".join(out)


@pytest.mark.parametrize("word", ["слово", "😀x", "a<&>b"])
def test_long_bodies_are_split_without_losing_a_character(word: str) -> None:
    text = " ".join(f"{word}{i}" for i in range(2000))
    pages = pack([Block("<b>Ответ</b>", text, "<b>Ответ</b> (продолжение)")], budget=1000)
    assert len(pages) > 1
    assert all(visible_len(page) <= 1000 for page in pages)
    assert bodies_back(pages, {"<b>Ответ</b>", "<b>Ответ</b> (продолжение)"}) == text


def test_short_blocks_share_a_page_and_a_heading_alone_is_kept() -> None:
    pages = pack([Block("<b>№ 1</b>"), Block("A", "x" * 10), Block("B", "y" * 10)], budget=100)
    assert pages == ["<b>№ 1</b>\n\nA\n" + "x" * 10 + "\n\nB\n" + "y" * 10]


def test_utf16_units_are_what_counts() -> None:
    assert utf16_len("😀") == 2 and visible_len("<b>&lt;😀</b>") == 3
    pages = pack([Block("h", "😀" * 3000, "h")], budget=1000)
    assert all(utf16_len(html.unescape(page)) <= 1000 for page in pages)
