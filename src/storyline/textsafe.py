"""Characters a terminal obeys instead of showing (controls, escape sequences, bidi controls); strings made inert."""

from __future__ import annotations

import re

# Bidi embeddings, overrides and isolates: they reorder what follows them ("Trojan Source").
_BIDI_OVERRIDES = "\u202a-\u202e\u2066-\u2069"
# Bidi marks: harmless in right-to-left text, but they still move neutral characters around them.
_BIDI_MARKS = "\u061c\u200e\u200f"

# What article text must not hold: C0 controls but tab and newline, DEL, C1 controls (0x9b alone is a
# CSI, 0x9d an OSC to a terminal) and the bidi overrides. Bidi marks stay: right-to-left copy uses them.
TEXT_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_OVERRIDES}]")
# What must not reach a terminal: the same, and the bidi marks.
TERMINAL_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_OVERRIDES}{_BIDI_MARKS}]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(value: object) -> str:
    """`value` as a string a terminal shows as it is: every control character (tab and newline aside),
    so every escape sequence, and every bidi control written out in ASCII as Python writes it in a
    string ('\\x1b[2J', '\\u202e'), so the reader sees what the text holds and the terminal obeys none of it."""
    return TERMINAL_UNSAFE.sub(_shown, "" if value is None else str(value))


def inert_json(text: str) -> str:
    """JSON text (as json.dumps writes it) with the characters a terminal obeys written as \\u escapes:
    the same JSON value, nothing for a terminal to act on. (Such characters only occur inside strings.)"""
    return TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
