"""Calibrating itsim from a department's own ticket data, and checking the fit.

``calibrate(files, staff=...)`` reads ticket exports (ServiceNow incident
tables and audit logs, Jira, Zendesk, event logs, any CSV or Excel table with
a column mapping) and fits the incident demand of a scenario, citing the data
behind every number; ``Calibration.write(path)`` writes the scenario,
``calibration.html`` and ``calibration.json``. ``backtest(scenario, files)``
simulates a scenario over the observed period and says where model and data
disagree. ``export_tickets(run, path)`` writes simulated incidents as an export,
for sample data.
"""

from itsim.calibrate.backtest import Backtest, backtest
from itsim.calibrate.calibration import Calibration, calibrate, parse_staff
from itsim.calibrate.errors import CalibrationError
from itsim.calibrate.export import export_tickets
from itsim.calibrate.read import ReadOptions
from itsim.calibrate.tickets import Tickets, read_tickets

__all__ = [
    "Backtest",
    "Calibration",
    "CalibrationError",
    "ReadOptions",
    "Tickets",
    "backtest",
    "calibrate",
    "export_tickets",
    "parse_staff",
    "read_tickets",
]
