"""The what-if app (``itsim app``): levers a leader thinks in, answers with intervals.

The app is a Streamlit page (:mod:`itsim.app.page`) over plain functions that
work without Streamlit and are tested on their own: :mod:`itsim.app.levers` turns
the levers into changes of the user's scenario file, :mod:`itsim.app.simulations`
runs the baseline and the what-if in the background and keeps their results,
:mod:`itsim.app.outcome` compares them and writes the report, and
:mod:`itsim.app.launch` starts the local server with everything that could reach
outside the machine switched off.
"""

DEFAULT_REPLICATIONS = 20
"""Simulated runs per answer to start with: about half a minute for the mid-size
department (a year, 18 people) on a laptop, today's scenario included, and enough
for paired differences with useful intervals."""
