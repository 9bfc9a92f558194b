"""Bad exports and flags: exit code 2, one line per problem, and nothing written."""

import json
import sys

import pandas as pd
import pytest

from itsim.cli import main
from tests.calibrate_fixtures import write


@pytest.fixture
def itsim(monkeypatch, capsys):
    """Run the command line in this process: ``(exit code, stdout, stderr lines)``."""

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["itsim", *map(str, args)])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code
        out = capsys.readouterr()
        assert "Traceback" not in out.err
        return code, out.out, out.err.strip().splitlines()

    return run


def tickets(path, n=60, rows=None):
    """A plain export of ``n`` tickets five hours apart from Monday 2024-03-04 08:00; ``rows``
    replaces some (by position) with other text."""
    start = pd.Timestamp("2024-03-04 08:00")
    lines = ["id,opened,resolved,priority"]
    for i in range(n):
        opened = start + pd.Timedelta(hours=5 * i)
        resolved = opened + pd.Timedelta(hours=1 + i % 5)
        lines.append(f"T{i},{opened:%Y-%m-%d %H:%M},{resolved:%Y-%m-%d %H:%M},P{1 + i % 3}")
    for i, text in (rows or {}).items():
        lines[i + 1] = text
    return write(path, "\n".join(lines) + "\n")


def nothing_written(folder):
    return [p.name for p in folder.iterdir() if p.suffix in (".toml", ".html", ".json")] == []


def test_good_export_calibrates(tmp_path, itsim):
    code, out, err = itsim("calibrate", tickets(tmp_path / "t.csv"), "--staff", "desk=2", "--out", tmp_path / "s.toml")
    assert code == 0, err
    assert "60 tickets" in out
    assert (tmp_path / "s.toml").exists() and (tmp_path / "calibration.html").exists()


def test_missing_column_names_the_columns_found_and_the_closest(tmp_path, itsim):
    path = write(tmp_path / "t.csv", "ticket,Openned,prio\n1,2024-03-04 08:00,P1\n")
    code, _, err = itsim("calibrate", path, "--staff", "desk=2", "--out", tmp_path / "s.toml")
    assert code == 2
    assert err == [f"{path}: no column for opened (when the ticket was opened); columns found: 'ticket', "
                   f"'Openned', 'prio'; closest: 'Openned' (use --map 'Openned'=opened)"]
    assert nothing_written(tmp_path)


def test_dates_that_cannot_be_read_are_named_by_row_and_value(tmp_path, itsim):
    path = tickets(tmp_path / "t.csv", rows={3: "T3,yesterday,2024-03-05 09:00,P1",
                                             **{i: f"T{i},2024-13-45 10:00,,P2" for i in range(10, 17)}})
    code, _, err = itsim("calibrate", path, "--staff", "desk=2", "--out", tmp_path / "s.toml")
    assert code == 2
    assert err[0] == (f"{path}: row 5: opened 'yesterday' is not a date (this file's dates read as "
                      "2016-02-29 04:40:00 (ISO 8601))")
    assert err[1].startswith(f"{path}: row 12: opened '2024-13-45 10:00' is not a date")
    assert len(err) == 6 and err[5].startswith(f"{path}: 3 more rows with dates that cannot be read")
    assert nothing_written(tmp_path)


def test_resolved_before_opened_is_an_error_unless_bad_rows_are_dropped(tmp_path, itsim):
    path = tickets(tmp_path / "t.csv", rows={1: "T1,2024-03-04 13:00,2024-03-04 12:00,P2"})
    code, _, err = itsim("calibrate", path, "--staff", "desk=2", "--out", tmp_path / "s.toml")
    assert code == 2
    assert err == [f"{path}: row 3: resolved 2024-03-04 12:00 is before opened 2024-03-04 13:00 "
                   "(--drop-bad-rows leaves such rows out and lists them in calibration.html)"]
    assert nothing_written(tmp_path)
    code, _, err = itsim("calibrate", path, "--staff", "desk=2", "--out", tmp_path / "s.toml", "--drop-bad-rows")
    assert code == 0, err
    dropped = json.loads((tmp_path / "calibration.json").read_text())["dropped"]
    assert {"reason": "resolved before opened", "rows": 1, "effect": "left out"} in dropped
    assert "resolved before opened" in (tmp_path / "calibration.html").read_text()


def test_empty_files_and_files_with_only_a_header(tmp_path, itsim):
    empty = write(tmp_path / "empty.csv", "")
    blank = write(tmp_path / "blank.csv", "\n  \n")
    header = write(tmp_path / "header.csv", "number,opened_at,priority\n")
    code, _, err = itsim("calibrate", empty, blank, header, "--staff", "desk=2", "--out", tmp_path / "s.toml")
    assert code == 2
    assert err == [
        f"{empty}: empty file (expected a ticket export with a header row)",
        f"{blank}: empty file (expected a ticket export with a header row)",
        f"{header}: no rows under the header (a header and no tickets)",
    ]
    assert nothing_written(tmp_path)


def test_a_period_with_no_tickets(tmp_path, itsim):
    code, _, err = itsim("calibrate", tickets(tmp_path / "t.csv"), "--staff", "desk=2", "--from", "2030-01-01",
                         "--to", "2030-02-01", "--out", tmp_path / "s.toml")
    assert code == 2
    assert err == ["no tickets opened between 2030-01-01 and 2030-02-01 (the files' tickets were opened from "
                   "2024-03-04 to 2024-03-16)"]
    assert nothing_written(tmp_path)


def test_prose_without_a_separator_is_not_a_table(tmp_path, itsim):
    prose = write(tmp_path / "note.csv", "Please fix the printer\nIt is broken again\n")
    code, _, err = itsim("calibrate", prose, "--staff", "desk=2", "--out", tmp_path / "s.toml")
    assert code == 2
    assert err == [f"{prose}: not a table (no separator - comma, semicolon, tab or | - in the header line)"]


def test_files_that_are_not_tables(tmp_path, itsim):
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    prose = write(tmp_path / "letter.csv", "Dear IT team, the printer is broken again.\nPlease fix it soon.\n")
    ragged = write(tmp_path / "ragged.csv", "id,opened\n1,2024-03-04 08:00\n2,2024-03-04 09:00,x,y\n")
    fake = tmp_path / "book.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a workbook")
    code, _, err = itsim("calibrate", binary, prose, ragged, fake, "--staff", "desk=2", "--out", tmp_path / "s.toml")
    assert code == 2
    assert err[0] == f"{binary}: not a table (binary data; expected CSV text or an Excel .xlsx workbook)"
    assert err[1] == (f"{prose}: not a table (line 2 has 1 field where the header has 2, as have 1 of the first "
                      "1 rows)")
    assert err[2] == (f"{ragged}: not a table (line 3 has 4 fields where the header has 2, as have 1 of the first "
                      "2 rows)")
    assert err[3].startswith(f"{fake}: not a table (not a readable Excel workbook")
    assert len(err) == 4
    assert nothing_written(tmp_path)


def test_bad_flags_one_line_each(tmp_path, itsim):
    code, _, err = itsim("calibrate", tickets(tmp_path / "t.csv"), "--staff", "desk", "--map", "Created=created",
                         "--tz", "Mars/Olympus", "--priority", "Sev A", "--out", tmp_path / "s.toml")
    assert code == 2
    assert err == [
        "--map 'Created=created': unknown field 'created' (one of id, opened, resolved, closed, priority, status, "
        "resolution, updated, reassignments, made_sla)",
        "--priority 'Sev A': expected LABEL=PN with N from 1 to 9, e.g. 'Sev A=P1'",
        "--tz: unknown time zone 'Mars/Olympus' (an IANA name such as Europe/Lisbon)",
    ]
    code, _, err = itsim("calibrate", tickets(tmp_path / "t.csv"), "--staff", "desk", "--staff", "2x=1",
                         "--out", tmp_path / "s.toml")
    assert code == 2 and len(err) == 2 and all(line.startswith("--staff") for line in err)
    assert nothing_written(tmp_path)


def test_someone_must_handle_incidents(tmp_path, itsim):
    code, _, err = itsim("calibrate", tickets(tmp_path / "t.csv"), "--out", tmp_path / "s.toml")
    assert code == 2
    assert err[0].startswith("--staff: say who handles incidents")


def test_a_map_of_a_column_no_file_has(tmp_path, itsim):
    code, _, err = itsim("calibrate", tickets(tmp_path / "t.csv"), "--staff", "desk=2", "--map", "Opend=opened",
                         "--out", tmp_path / "s.toml")
    assert code == 2
    assert err == ["--map Opend=opened: no file has a column 'Opend'; did you mean 'opened'?"]


def test_an_existing_scenario_is_not_replaced_unless_asked(tmp_path, itsim):
    out = write(tmp_path / "s.toml", "# mine\n")
    code, _, err = itsim("calibrate", tickets(tmp_path / "t.csv"), "--staff", "desk=2", "--out", out)
    assert code == 2 and err[0].startswith(f"--out: {out} exists")
    assert out.read_text() == "# mine\n"
    code, _, err = itsim("calibrate", tickets(tmp_path / "t.csv"), "--staff", "desk=2", "--out", out, "--overwrite")
    assert code == 0, err


def test_a_bad_base_scenario_is_reported_before_reading_tickets(tmp_path, itsim):
    base = write(tmp_path / "base.toml", "[scenario]\nname = 'x'\nhorizon_days = -1\n")
    code, _, err = itsim("calibrate", tickets(tmp_path / "t.csv"), "--base", base, "--out", tmp_path / "s.toml")
    assert code == 2
    assert any(line.startswith(f"{base}: scenario.horizon_days") for line in err)
    assert not (tmp_path / "s.toml").exists() and not (tmp_path / "calibration.html").exists()


def test_backtest_bad_input(tmp_path, itsim):
    path = tickets(tmp_path / "t.csv")
    code, _, err = itsim("backtest", tmp_path / "missing.toml", path, "--replications", "1")
    assert code == 2
    assert err[0] == "--replications: at least 2 for a back-test (got 1)"
    assert err[1].startswith(f"{tmp_path / 'missing.toml'}: cannot read file")
    assert nothing_written(tmp_path)
