"""Reading exports: each kind recognised from its header, dates in their many shapes, priorities
and states understood, only the needed columns read."""

import numpy as np
import pandas as pd
import pytest

from itsim.calibrate import CalibrationError, ReadOptions, export_tickets, read_tickets
from itsim.calibrate.dates import seconds_of
from tests.calibrate_fixtures import SERVICENOW, small_run, write


def hours_after(tickets, column, moment):
    """A column of a ticket table as hours after ``moment`` (local time)."""
    return (tickets.table[column].to_numpy() - seconds_of(pd.Timestamp(moment))) / 3600


def test_servicenow_incident_table(tmp_path):
    t = read_tickets([write(tmp_path / "incident.csv", SERVICENOW)])
    assert t.sources[0].label == "ServiceNow incident table"
    assert "caller_id" not in t.sources[0].columns.values()
    assert "short_description" not in t.sources[0].columns.values()
    table = t.table
    assert list(table["priority"]) == [2, 3, 1, 4]
    assert t.priority_labels["1 - Critical"] == 1
    assert list(table["cancelled"]) == [False, False, False, True]
    resolved = hours_after(t, "resolved", "2024-03-04")
    assert resolved[0] == pytest.approx(11.0) and resolved[1] == pytest.approx(24 + 9.5)
    assert np.isnan(resolved[2]) and np.isnan(resolved[3])  # still open; cancelled
    assert hours_after(t, "ended", "2024-03-04")[3] == pytest.approx(2 * 24 + 12)
    assert list(table["reassignments"]) == [0, 1, 0, 0]
    assert list(table["made_sla"]) == [1, 0, 1, 1]


UCI = """
number,incident_state,active,reassignment_count,sys_updated_by,sys_updated_at,caller_id,opened_at,resolved_at,closed_at,priority,made_sla
INC0000045,New,true,0,Upd21,29/2/2016 01:23,C2403,29/2/2016 01:16,?,?,3 - Moderate,true
INC0000045,Active,true,0,Upd642,29/2/2016 09:00,C2403,29/2/2016 01:16,?,?,3 - Moderate,true
INC0000045,Awaiting User Info,true,0,Upd804,29/2/2016 10:30,C2403,29/2/2016 01:16,?,?,3 - Moderate,true
INC0000045,Active,true,1,Upd804,1/3/2016 09:00,C2403,29/2/2016 01:16,?,?,3 - Moderate,true
INC0000045,Resolved,true,1,Upd908,1/3/2016 11:00,C2403,29/2/2016 01:16,1/3/2016 11:00,?,3 - Moderate,true
INC0000045,Closed,false,1,Upd908,6/3/2016 12:00,C2403,29/2/2016 01:16,1/3/2016 11:00,6/3/2016 12:00,3 - Moderate,true
INC0000047,New,true,0,Upd21,13/3/2016 04:40,C2403,13/3/2016 04:40,?,?,?,false
"""


def test_servicenow_audit_log_like_the_uci_event_log(tmp_path):
    t = read_tickets([write(tmp_path / "incident_event_log.csv", UCI)])
    assert t.sources[0].label == "ServiceNow incident audit log"
    assert t.sources[0].dates.startswith("29/02/2016")  # day-first, found from 29/2
    assert "sys_updated_by" not in t.sources[0].columns.values()
    table = t.table
    assert len(table) == 2 and list(table["priority"]) == [3, 0]  # "?" is missing
    assert hours_after(t, "opened", "2016-02-29")[0] == pytest.approx(1 + 16 / 60)
    assert hours_after(t, "resolved", "2016-02-29")[0] == pytest.approx(24 + 11)
    assert hours_after(t, "started", "2016-02-29")[0] == pytest.approx(9)
    work = t.work.sort_values("start")
    # Active 09:00-10:30 before the reassignment, 09:00-11:00 the next day after it.
    assert (work["end"] - work["start"]).tolist() == [1.5 * 3600, 2 * 3600]
    assert work["escalated"].tolist() == [False, True]


JIRA = """\ufeffIssue key,Summary,Assignee,Reporter,Status,Resolution,Priority,Created,Resolved
OPS-1,Laptop broken,Ann Vale,Bo Lin,Done,Done,Highest,29/Feb/16 4:40 AM,29/Feb/16 11:05 AM
OPS-2,Cannot print,Ann Vale,Cy Ode,Done,Won't Do,Low,01/Mar/16 9:00 AM,02/Mar/16 10:00 AM
OPS-3,VPN slow,Ann Vale,Di Po,In Progress,,Medium,13/Mar/16 1:15 PM,
"""


def test_jira_export_with_a_byte_order_mark(tmp_path):
    t = read_tickets([write(tmp_path / "jira.csv", JIRA)])
    assert t.sources[0].label == "Jira issues"
    assert list(t.table["priority"]) == [1, 4, 3]
    assert list(t.table["cancelled"]) == [False, True, False]
    assert hours_after(t, "opened", "2016-03-13")[2] == pytest.approx(13.25)
    assert {"Summary", "Assignee", "Reporter"}.isdisjoint(t.sources[0].columns.values())


ZENDESK = """
Id,Requester,Requested,Updated,Assignee,Group,Subject,Status,Priority,Solved at
101,Eve Q,2024-05-06 08:00,2024-05-06 09:00,Fay R,Support,Login,solved,Urgent,2024-05-06 09:00
102,Gus S,2024-05-06 09:30,2024-05-07 09:00,Fay R,Support,Printer,open,Normal,
"""


def test_zendesk_export(tmp_path):
    t = read_tickets([write(tmp_path / "zendesk.csv", ZENDESK)])
    assert t.sources[0].label == "Zendesk tickets"
    assert list(t.table["priority"]) == [1, 3]
    assert hours_after(t, "resolved", "2024-05-06")[0] == pytest.approx(9)


GENERIC = """
Ticket Ref;Date Raised;Date Fixed;Severity;Owner
T-1;04.03.2024 10:00;04.03.2024 12:30;Sev A;Hal T
T-2;14.03.2024 16:45;15.03.2024 09:00;Sev B;Ida U
"""


def test_generic_table_with_a_column_map_semicolons_and_dotted_day_first_dates(tmp_path):
    options = ReadOptions(mapping={"Ticket Ref": "id", "Date Raised": "opened", "Date Fixed": "resolved",
                                   "Severity": "priority"}, priorities={"Sev A": 1, "Sev B": 2})
    t = read_tickets([write(tmp_path / "tickets.csv", GENERIC)], options)
    assert t.sources[0].label == "table"
    assert "Owner" not in t.sources[0].columns.values()
    assert list(t.table["priority"]) == [1, 2]
    assert hours_after(t, "resolved", "2024-03-15")[1] == pytest.approx(9)


def test_generic_table_found_by_common_column_names_and_an_xes_event_log(tmp_path):
    plain = write(tmp_path / "plain.csv", "id,created,resolved,priority\n7,2024-01-02 10:00,2024-01-02 11:00,P2\n")
    t = read_tickets([plain])
    assert t.sources[0].columns == {"id": "id", "opened": "created", "resolved": "resolved", "priority": "priority"}
    xes = write(tmp_path / "log.csv", "case:concept:name,concept:name,time:timestamp,org:resource\n"
                "c1,new,2024-01-02T10:00:00,R1\nc1,in progress,2024-01-02T11:00:00,R1\n"
                "c1,resolved,2024-01-02T11:45:00,R1\n")
    t = read_tickets([xes])
    assert t.sources[0].label == "event log (XES names)"
    assert (t.work["end"] - t.work["start"]).tolist() == [45 * 60]


def test_excel_workbook_reads_like_the_csv_of_the_same_tickets(tmp_path):
    run = small_run()
    csv = read_tickets([export_tickets(run, tmp_path / "jira.csv", format="jira")]).table
    xlsx = read_tickets([export_tickets(run, tmp_path / "jira.xlsx", format="jira")])
    assert xlsx.sources[0].label == "Jira issues"
    # Jira's CSV dates are to the minute; the workbook holds exact times.
    assert np.allclose(xlsx.table["opened"], csv["opened"], atol=60)
    assert list(xlsx.table["priority"]) == list(csv["priority"])


def test_dates_that_could_be_either_order_need_a_flag(tmp_path):
    path = write(tmp_path / "t.csv", "id,opened\n1,01/02/2024 10:00\n2,03/04/2024 10:00\n")
    with pytest.raises(CalibrationError, match="--dayfirst or --monthfirst"):
        read_tickets([path])
    t = read_tickets([path], ReadOptions(dayfirst=False))
    assert hours_after(t, "opened", "2024-01-02")[0] == pytest.approx(10)
    t = read_tickets([path], ReadOptions(dayfirst=True))
    assert hours_after(t, "opened", "2024-02-01")[0] == pytest.approx(10)


def test_month_first_with_am_pm(tmp_path):
    t = read_tickets([write(tmp_path / "t.csv", "id,opened\n1,2/29/2016 4:40 PM\n2,3/1/2016 9:05 AM\n")])
    assert hours_after(t, "opened", "2016-02-29").tolist() == pytest.approx([16 + 40 / 60, 24 + 9 + 5 / 60])


def test_times_with_an_offset_are_converted_to_the_zone_given(tmp_path):
    path = write(tmp_path / "t.csv", "id,opened\n1,2024-07-01T08:00:00Z\n2,2024-01-10T08:00:00+01:00\n")
    t = read_tickets([path], ReadOptions(tz="Europe/Lisbon"))
    # Lisbon is UTC+1 in July and UTC in January.
    assert hours_after(t, "opened", "2024-07-01")[0] == pytest.approx(9)
    assert hours_after(t, "opened", "2024-01-10")[1] == pytest.approx(7)
    assert t.tz == "Europe/Lisbon"


def test_priority_labels_of_no_known_scheme_are_named(tmp_path):
    path = write(tmp_path / "t.csv", "id,opened,priority\n1,2024-01-02,Sev A\n2,2024-01-03,Sev B\n")
    with pytest.raises(CalibrationError, match="'sev a', 'sev b'.*--priority LABEL=P1"):
        read_tickets([path])


def test_a_ticket_table_and_an_audit_log_of_the_same_tickets_merge_by_number(tmp_path):
    table = write(tmp_path / "incident.csv", SERVICENOW)
    log = write(tmp_path / "audit.csv", "number,incident_state,sys_updated_at\n"
                "INC0010001,Active,2024-03-04 09:30:00\nINC0010001,Resolved,2024-03-04 11:00:00\n")
    t = read_tickets([table, log])
    assert len(t.table) == 4
    assert t.dropped == {"more rows of a ticket already read (merged into one)": 1}
    first = t.table.index[t.table["id"] == "INC0010001"][0]
    assert t.work["ticket"].tolist() == [first]
