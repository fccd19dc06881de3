"""Telegram's HTML parse mode as the stand-in applies it: the tags and entities it accepts, the
entities it produces, and lengths counted as Telegram counts them (UTF-16 code units)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP is 2)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


class EntityParseError(ValueError):
    """The reason Telegram gives after "Bad Request: can't parse entities: "."""


# Tag -> entity type, exactly the tags Telegram's HTML mode accepts.
_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_SPACE = " \t\r\n\f\v"
_MARKUP = re.compile("[<&]")


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """The character an HTML entity at ``text[i]`` stands for, and where it ends."""
    m = _ENTITY_RE.match(text, i)
    if m is None:
        return None
    if m.group(1):
        return _NAMED_ENTITIES[m.group(1)], m.end()
    code = int(m.group(2), 10) if m.group(2) else int(m.group(3), 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), m.end()


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_start: int
    byte_offset: int
    expandable: bool = False
    language: str = ""  # set on <pre> by a nested <code class="language-...">


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: the visible text and its entities (UTF-16 offsets).

    Follows the rules of Telegram's own parser (tdlib ``parse_html``), including its
    error wording; raises ``EntityParseError`` with the reason Telegram would give.
    """
    out: list[str] = []
    pos16 = 0  # UTF-16 length of what has been emitted so far
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    n = len(text)
    i = 0

    def byte_offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    def emit(chunk: str) -> None:
        nonlocal pos16
        out.append(chunk)
        pos16 += utf16_len(chunk)

    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                emit(decoded[0])
                i = decoded[1]
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f'Character "&" at byte offset {byte_offset(i)} is not part of an HTML entity '
                    "(stand-in is stricter than Telegram here: escape it as &amp;)"
                )
            emit(ch)
            i += 1
            continue
        if ch != "<":
            # Plain text up to the next tag or entity, emitted as one piece.
            markup = _MARKUP.search(text, i)
            end = markup.start() if markup else n
            emit(text[i:end])
            i = end
            continue

        begin = i
        if i + 1 < n and text[i + 1] == "/":
            # An end tag closes the innermost open tag; "</>" closes whatever is open.
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            i += 2
            name_start = i
            while i < n and text[i] not in _SPACE and text[i] != ">":
                i += 1
            end_name = text[name_start:i].lower()
            while i < n and text[i] in _SPACE:
                i += 1
            if i >= n or text[i] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            i += 1
            open_tag = stack.pop()
            if end_name and end_name != open_tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{open_tag.name}>", found "</{end_name}>"'
                )
            _close_tag(open_tag, pos16, stack, entities)
            continue

        # A start tag: name up to whitespace or ">", then attributes.
        i += 1
        name_start = i
        while i < n and text[i] not in _SPACE and text[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        name = text[name_start:i].lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}')
        tag = _OpenTag(name=name, argument="", utf16_start=pos16, byte_offset=byte_offset(begin))
        i = _parse_attributes(text, i, tag)
        if name == "span" and tag.argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {tag.byte_offset}'
            )
        stack.append(tag)

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _parse_attributes(text: str, i: int, tag: _OpenTag) -> int:
    """Reads attributes of ``tag`` from ``text[i]`` up to and including ">"; returns the next index."""
    n = len(text)
    unclosed = f"Unclosed start tag at byte offset {tag.byte_offset}"
    while True:
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(unclosed)
        if text[i] == ">":
            return i + 1
        attr_start = i
        while i < n and text[i] not in _SPACE and text[i] not in "=>":
            i += 1
        attr = text[attr_start:i].lower()
        if not attr:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag.name}" at byte offset {tag.byte_offset}'
            )
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(unclosed)
        if text[i] != "=":
            # Only <blockquote expandable> may carry a bare attribute.
            if tag.name == "blockquote" and attr == "expandable":
                tag.expandable = True
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag.name}" '
                f"at byte offset {tag.byte_offset}"
            )
        i += 1
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(unclosed)
        if text[i] in "\"'":
            quote = text[i]
            i += 1
            value_chars: list[str] = []
            while i < n and text[i] != quote:
                # Entities are decoded inside values; a lone "&" stays literal, as in Telegram.
                decoded = _decode_entity(text, i) if text[i] == "&" else None
                if decoded is not None:
                    value_chars.append(decoded[0])
                    i = decoded[1]
                else:
                    value_chars.append(text[i])
                    i += 1
            if i >= n:
                raise EntityParseError(unclosed)
            i += 1
            value = "".join(value_chars)
        else:
            token_start = i
            while i < n and (text[i].isalnum() or text[i] in ".-"):
                i += 1
            if i >= n or (text[i] not in _SPACE and text[i] != ">"):
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {len(text[:token_start].encode())}"
                )
            value = text[token_start:i].lower()
        if tag.name == "a" and attr == "href":
            tag.argument = value
        elif tag.name == "code" and attr == "class" and value.startswith("language-"):
            tag.argument = value[len("language-") :]
        elif tag.name == "span" and attr == "class" and value.startswith("tg-"):
            tag.argument = value[len("tg-") :]
        elif tag.name == "tg-emoji" and attr == "emoji-id":
            tag.argument = value
        # Other attributes are ignored, as Telegram does.


def _close_tag(tag: _OpenTag, pos16: int, stack: list[_OpenTag], entities: list[dict[str, Any]]) -> None:
    length = pos16 - tag.utf16_start
    kind = _HTML_TAGS[tag.name]
    if kind == "code" and tag.argument and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is one pre entity with a language.
        stack[-1].language = tag.argument
        return
    if length <= 0:
        return  # Telegram drops empty entities
    entity: dict[str, Any] = {"type": kind, "offset": tag.utf16_start, "length": length}
    if kind == "text_link":
        if not tag.argument:
            return  # <a> without href is plain text
        entity["url"] = tag.argument
    elif kind == "pre" and tag.language:
        entity["language"] = tag.language
    elif kind == "blockquote" and tag.expandable:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.argument
    entities.append(entity)


def _strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims surrounding whitespace; entities are shifted and clipped to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")


def _command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities the Telegram client attaches to "/start" and the like."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in _COMMAND_RE.finditer(text)
    ]
