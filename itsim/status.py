"""The three states of the verdict, with the words and colours used wherever one is shown
(terminal, run and sweep reports, comparisons, the what-if app).

Kept apart from :mod:`itsim.targets` so that formatting code can name a status
without loading the statistics behind it.
"""

HEALTHY, AT_RISK, TOO_BUSY = "healthy", "at_risk", "too_busy"
STATUSES = (HEALTHY, AT_RISK, TOO_BUSY)

#: Each status in words, lower case (``"at risk"``).
STATUS_WORDS: dict[str, str] = {HEALTHY: "healthy", AT_RISK: "at risk", TOO_BUSY: "too busy"}
#: The colour of each status by name: green, amber, red.
STATUS_COLOURS: dict[str, str] = {HEALTHY: "green", AT_RISK: "amber", TOO_BUSY: "red"}
#: Each colour as drawn on a page: a strong line and a light background.
COLOUR_HEX: dict[str, str] = {"green": "#2ca02c", "amber": "#ff9f1c", "red": "#d62728"}
TINT_HEX: dict[str, str] = {"green": "#f1f8f1", "amber": "#fff7ea", "red": "#fdf1f1"}
