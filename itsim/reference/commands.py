"""The command-line reference page, from the ``itsim`` command's own definition: the
same usage lines and option texts as ``itsim COMMAND --help``."""

from __future__ import annotations

import typer.main

from itsim.cli import app


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def commands_page() -> str:
    """Every command with its usage, description and parameters (Markdown)."""
    group = typer.main.get_command(app)
    lines = [
        "# Command line",
        "",
        "Every `itsim` command, generated from the command line's own definition (the text of",
        "`itsim COMMAND --help`). Exit codes: 0 success; 1 an internal error or failed sweep",
        "cells; 2 bad input (one line per problem, no traceback); 130 interrupted.",
    ]
    parent = group.context_class(group, info_name="itsim")
    for name in group.list_commands(parent):
        command = group.get_command(parent, name)
        if command is None or command.hidden:
            continue
        ctx = command.context_class(command, info_name=name, parent=parent)
        usage = command.get_usage(ctx).removeprefix("Usage: ").strip()
        lines += ["", f"## `itsim {name}`", "", "```", usage, "```", "", (command.help or "").strip(), ""]
        records = [p.get_help_record(ctx) for p in command.get_params(ctx) if p.name != "help"]
        records = [r for r in records if r]
        if records:
            lines += ["| parameter | meaning |", "|---|---|"]
            lines += [f"| `{_cell(decl)}` | {_cell(text)} |" for decl, text in records]
    return "\n".join(lines) + "\n"
