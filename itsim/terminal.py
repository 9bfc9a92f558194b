"""Text for a terminal: characters that a terminal would act on rather than show
(escape sequences, carriage returns, NUL, bidirectional overrides) are written as
visible escapes, so a scenario name cannot rewrite the screen or hide text."""

from __future__ import annotations

import re

import typer

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional formatting characters.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\t\n]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, one_line: bool = False) -> str:
    """``text`` with terminal controls escaped; with ``one_line``, tabs and newlines too."""
    text = _CONTROL.sub(_escape, str(text))
    return _LINE_BREAKS.sub(_escape, text) if one_line else text


def echo(text: str = "", err: bool = False) -> None:
    """Print a line of output (to standard error with ``err``), terminal controls escaped."""
    typer.echo(printable(text), err=err)
