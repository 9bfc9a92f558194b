"""``itsim`` run in the test process: much faster than a new process for each command."""

import sys

from itsim import cli


def run_in_process(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    """Run ``itsim ARGS`` through ``cli.main``; return (exit status, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["itsim", *map(str, args)])
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err
