"""Which export a file is, and which of its columns hold what itsim needs.

A file is recognised from its header row: each known export (ServiceNow's
incident table and incident audit log, Jira, Zendesk, an event log in the
pm4py/XES column names) has marker columns; anything else is read as a generic
table whose columns are found by common names, or named with ``--map
COLUMN=FIELD``. Only the columns of the fields below are ever read: callers,
assignees, descriptions and other free text stay in the file.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from itsim.calibrate.errors import CalibrationError, Problem, parse_pairs

FIELDS = {
    "id": "the ticket's number or key",
    "opened": "when the ticket was opened",
    "resolved": "when it was resolved",
    "closed": "when it was closed",
    "priority": "its priority",
    "status": "its state (in an audit log: the state each row moves it into)",
    "resolution": "how it was resolved (Jira: Won't Do, Duplicate, ...)",
    "updated": "when an audit-log row changed the state",
    "reassignments": "how many times it was reassigned",
    "made_sla": "whether it met its SLA (true/false)",
}
"""What itsim reads from an export, by field name (the names ``--map`` accepts)."""

DATE_FIELDS = ("opened", "resolved", "closed", "updated")


@dataclass(frozen=True)
class Format:
    """A kind of export: its markers (each a group of alternative header names, all
    groups present) and the header names of each field."""

    name: str
    label: str
    markers: tuple[tuple[str, ...], ...]
    columns: dict[str, tuple[str, ...]]
    events: bool = False


SERVICENOW_COLUMNS = {
    "id": ("number",),
    "opened": ("opened_at", "opened", "sys_created_on"),
    "resolved": ("resolved_at", "resolved"),
    "closed": ("closed_at", "closed"),
    "priority": ("priority",),
    "status": ("incident_state", "state"),
    "reassignments": ("reassignment_count",),
    "made_sla": ("made_sla",),
}

FORMATS = (
    Format(
        "servicenow_audit", "ServiceNow incident audit log",
        markers=(("number",), ("sys_updated_at",), ("incident_state", "state")),
        columns={**SERVICENOW_COLUMNS, "updated": ("sys_updated_at",)},
        events=True,
    ),
    Format("servicenow", "ServiceNow incident table", markers=(("number",), ("opened_at",)),
           columns=SERVICENOW_COLUMNS),
    Format(
        "jira", "Jira issues", markers=(("issue key",), ("created",)),
        columns={"id": ("issue key",), "opened": ("created",), "resolved": ("resolved",),
                 "priority": ("priority",), "status": ("status",), "resolution": ("resolution",)},
    ),
    Format(
        "zendesk", "Zendesk tickets",
        markers=(("id", "ticket id"), ("requested", "created at"), ("requester", "solved at", "group stations")),
        columns={"id": ("id", "ticket id"), "opened": ("requested", "created at"),
                 "resolved": ("solved at", "solved"), "priority": ("priority",), "status": ("status",),
                 "reassignments": ("group stations",)},
    ),
    Format(
        "event_log", "event log (XES names)",
        markers=(("case:concept:name",), ("time:timestamp",), ("concept:name",)),
        columns={"id": ("case:concept:name",), "updated": ("time:timestamp",), "status": ("concept:name",),
                 "priority": ("priority", "case:priority")},
        events=True,
    ),
)

GENERIC = Format(
    "generic", "table", markers=(),
    columns={
        "id": ("id", "ticket", "ticket id", "ticket number", "number", "key", "issue key", "case id"),
        "opened": ("opened", "opened at", "created", "created at", "created date", "open date",
                   "opened date", "submitted", "submitted at", "reported", "reported at", "start"),
        "resolved": ("resolved", "resolved at", "resolved date", "solved", "solved at", "resolution date",
                     "completed", "completed at", "done"),
        "closed": ("closed", "closed at", "closed date", "end"),
        "priority": ("priority", "severity"),
        "status": ("status", "state"),
        "resolution": ("resolution",),
        "reassignments": ("reassignments", "reassignment count", "reassignment_count", "transfers"),
        "made_sla": ("made sla", "sla met", "within sla"),
    },
)


def normal(name: str) -> str:
    """A header name compared loosely: case, spaces and underscores do not matter."""
    return re.sub(r"[\s_]+", " ", str(name).strip().lower())


@dataclass(frozen=True)
class Layout:
    """A file's format and the column that holds each field it has."""

    format: Format
    columns: dict[str, str]

    @property
    def events(self) -> bool:
        return self.format.events or "updated" in self.columns

    @property
    def required(self) -> tuple[str, ...]:
        """The fields a file must have: an audit log's ticket, time and state, else when opened."""
        return ("id", "updated", "status") if self.events else ("opened",)


def detect(header: list[str], mapping: dict[str, str], source: str) -> Layout:
    """The format of a file with ``header``; ``mapping`` (column -> field, from ``--map``)
    takes precedence. Raises :class:`CalibrationError` naming missing columns."""
    by_name = {normal(h): h for h in reversed(header)}  # the first of two equal names wins
    fmt = next((f for f in FORMATS if all(any(normal(a) in by_name for a in group) for group in f.markers)),
               GENERIC)
    columns: dict[str, str] = {}
    for field, aliases in fmt.columns.items():
        found = next((by_name[normal(a)] for a in aliases if normal(a) in by_name), None)
        if found is not None:
            columns[field] = found
    mapped = {field: by_name[normal(col)] for col, field in mapping.items() if normal(col) in by_name}
    columns = {f: c for f, c in columns.items() if c not in mapped.values()} | mapped
    layout = Layout(fmt, columns)
    missing = [f for f in layout.required if f not in columns]
    if missing:
        raise CalibrationError([_missing(source, f, header, fmt) for f in missing])
    return layout


def _missing(source: str, field: str, header: list[str], fmt: Format) -> str:
    shown = ", ".join(repr(h) for h in header[:12]) + (f" and {len(header) - 12} more" if len(header) > 12 else "")
    aliases = {normal(a) for f in (fmt, GENERIC) for a in f.columns.get(field, ())} | {field}
    scores = {h: max(difflib.SequenceMatcher(None, normal(h), a).ratio() for a in aliases) for h in header}
    close = sorted((h for h, s in scores.items() if s >= 0.5), key=lambda h: -scores[h])[:3]
    hint = (f"; closest: {', '.join(repr(c) for c in close)} (use --map {close[0]!r}={field})" if close
            else f"; name it with --map COLUMN={field}")
    kind = f" of a {fmt.label}" if fmt is not GENERIC else ""
    return f"{source}: no column for {field} ({FIELDS[field]}){kind}; columns found: {shown}{hint}"


def parse_mapping(items: list[str]) -> dict[str, str]:
    """``--map COLUMN=FIELD`` options as {column: field}; raises :class:`CalibrationError`."""

    def check(column: str, field: str) -> str | Problem:
        if field in FIELDS:
            return field
        close = difflib.get_close_matches(field, FIELDS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return Problem(f"unknown field {field!r}{hint} (one of {', '.join(FIELDS)})")

    return parse_pairs(items, "--map", check, "COLUMN=FIELD, e.g. --map 'Created Date=opened'", last=True)
