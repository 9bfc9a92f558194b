"""Opening an export: CSV text (any common separator and encoding) or an Excel workbook.

Before anything is parsed, a file is checked for being a table at all: not
empty, not binary, a header row and rows with as many fields. Reading then goes
in blocks of rows (pyarrow's streaming CSV reader) and keeps only the columns
asked for, so memory stays bounded whatever the file's size and free-text
columns are never converted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from itsim.calibrate.errors import CalibrationError

BLOCK_BYTES = 1 << 20
"""CSV is parsed in blocks of this many bytes (pyarrow's streaming reader, on all cores): larger
blocks are no faster and make the reader hold several times more memory."""
CHUNK_ROWS = 200_000
"""Blocks are handed on in chunks of at least this many rows."""
HEAD_BYTES = 256 * 1024
MISSING = ["?", "-", "--", "n/a", "N/A", "NULL", "null", "None", "none", "NaT", "(empty)"]
"""Cells read as missing, besides empty cells and pandas' defaults."""
SEPARATORS = ",;\t|"
EXCEL_MISSING = {*MISSING, "", "nan", "NaN", "NA", "#N/A"}


@dataclass(frozen=True)
class TableFile:
    """A file known to be a table: its kind (``csv`` or ``excel``), header and how to read it."""

    path: Path
    kind: str
    header: list[str]
    encoding: str = "utf-8"
    separator: str = ","

    def chunks(self, columns: list[str]) -> Iterator[tuple[int, pd.DataFrame]]:
        """``(first row number, rows)`` for each chunk, with only ``columns`` as strings.

        Row numbers are as a spreadsheet shows them: the header is row 1.
        """
        if self.kind == "excel":
            wanted = set(columns)
            frame = pd.read_excel(self.path, sheet_name=0, usecols=lambda c: str(c) in wanted, dtype=object,
                                  engine="openpyxl")
            frame.columns = [str(c) for c in frame.columns]
            yield 2, frame.astype(object).where(frame.notna(), None).map(_cell)
            return
        options = (
            pacsv.ReadOptions(block_size=BLOCK_BYTES, encoding=self.encoding.replace("utf-8-sig", "utf8")),
            pacsv.ParseOptions(delimiter=self.separator, newlines_in_values=True),
            pacsv.ConvertOptions(include_columns=columns, column_types={c: pa.string() for c in columns},
                                 null_values=["", *MISSING], strings_can_be_null=True),
        )
        row, batches, size = 2, [], 0
        try:
            for batch in pacsv.open_csv(self.path, *options):
                batches.append(batch)
                size += batch.num_rows
                if size >= CHUNK_ROWS:
                    yield row, pa.Table.from_batches(batches).to_pandas()
                    row, batches, size = row + size, [], 0
            if batches:
                yield row, pa.Table.from_batches(batches).to_pandas()
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise CalibrationError([f"{self.path}: not a table after row {row}: {_parser_message(exc)}"]) from None


def open_table(path: Path) -> TableFile:
    """Check that ``path`` is a readable table and read its header; raises :class:`CalibrationError`."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise CalibrationError([f"{path}: cannot read file ({exc.strerror or exc})"]) from None
    if not head.strip():
        raise CalibrationError([f"{path}: empty file (expected a ticket export with a header row)"])
    if head.startswith(b"PK\x03\x04"):
        return _excel(path)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif b"\x00" in head:
        raise CalibrationError([f"{path}: not a table (binary data; expected CSV text or an Excel .xlsx workbook)"])
    else:
        encoding = "utf-8-sig"
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
                encoding = "cp1252"
    text = head.decode(encoding, errors="replace")
    lines = text.splitlines()[:-1] if len(head) == HEAD_BYTES else text.splitlines()
    lines = [line for line in lines if line.strip()]
    separator = _separator(lines, path)
    _consistent(lines, separator, path)
    try:
        sample = pd.read_csv(io.StringIO("\n".join(lines[:200])), sep=separator, dtype=str)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise CalibrationError([f"{path}: not a table: {_parser_message(exc)}"]) from None
    except pd.errors.EmptyDataError:
        raise CalibrationError([f"{path}: empty file (expected a ticket export with a header row)"]) from None
    header = [str(c) for c in sample.columns]
    if sample.empty:
        raise CalibrationError([f"{path}: no rows under the header (a header and no tickets)"])
    return TableFile(path, "csv", header, encoding, separator)


def _separator(lines: list[str], path: Path) -> str:
    """The field separator of the header, confirmed by the next lines."""
    if not lines:
        raise CalibrationError([f"{path}: empty file (expected a ticket export with a header row)"])
    try:
        return csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=SEPARATORS).delimiter
    except csv.Error:
        counts = {s: lines[0].count(s) for s in SEPARATORS}
        best = max(counts, key=counts.get)
        if counts[best] == 0:
            if len(lines) == 1 or len(lines[0]) > 60 or " " in lines[0].strip():
                raise CalibrationError([
                    f"{path}: not a table (no separator - comma, semicolon, tab or | - in the header line)"
                ]) from None
            return ","  # one column: the header names it, and detection says what is missing
        return best


def _consistent(lines: list[str], separator: str, path: Path) -> None:
    """Most rows of a table have as many fields as its header; text that is not a table does not."""
    reader = csv.reader(io.StringIO("\n".join(lines[:200])), delimiter=separator, skipinitialspace=True)
    width, odd = None, []
    for record in reader:
        if width is None:
            width = len(record)
        elif len(record) != width:
            odd.append((reader.line_num, len(record)))
    rows = reader.line_num - 1
    if odd and len(odd) > 0.1 * rows:
        line, n = odd[0]
        raise CalibrationError([f"{path}: not a table (line {line} has {n} field{'s' * (n != 1)} where the "
                                f"header has {width}, as have {len(odd)} of the first {rows} rows)"])


def _excel(path: Path) -> TableFile:
    try:
        import openpyxl  # noqa: F401  (pandas needs it for .xlsx)
    except ImportError:
        raise CalibrationError([
            f"{path}: reading Excel workbooks needs openpyxl: pip install 'itsim[calibrate]' "
            "(or save the sheet as CSV)"
        ]) from None
    try:
        header = pd.read_excel(path, sheet_name=0, nrows=5, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise CalibrationError([f"{path}: not a table (not a readable Excel workbook: {exc})"]) from None
    if header.empty:
        raise CalibrationError([f"{path}: no rows under the header of the first sheet"])
    return TableFile(path, "excel", [str(c) for c in header.columns])


def _cell(value: object) -> str | None:
    """An Excel cell as text (dates in ISO form), None where missing."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text in EXCEL_MISSING else text


def _parser_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return text.replace("Error tokenizing data. C error: ", "").rstrip(".")
