"""The what-if app's page: levers in the sidebar, the answer beside today's scenario.

:func:`main` draws the page on every rerun; Streamlit runs it from
:mod:`itsim.app.entry`. Only the layout lives here: the levers' meaning is in
:mod:`itsim.app.levers`, the background runs in :mod:`itsim.app.simulations`, the
comparison, charts and report in :mod:`itsim.app.outcome`.
"""

from __future__ import annotations

import argparse
import atexit
import sys
import time
from pathlib import Path
from typing import Any

import streamlit as st

from itsim.app import DEFAULT_REPLICATIONS
from itsim.app import levers as lv
from itsim.app.outcome import Outcome, make_outcome, report_html
from itsim.app.simulations import Job, Request, Simulations
from itsim.cores import usable_cores
from itsim.report import fmt
from itsim.report.compare_page import comparison_html
from itsim.scenario import Scenario, ScenarioError, loads_scenario
from itsim.status import STATUS_COLOURS

POLL_S = 0.4
"""How often the page looks at a run in the background, in seconds."""
TEMPLATE = "mid"


@st.cache_resource
def simulations(workers: int) -> Simulations:
    """One set of simulations for the server: its results are shared by every page open."""
    sims = Simulations(make_outcome, report_html, workers=workers)
    atexit.register(sims.close)
    return sims


def arguments() -> argparse.Namespace:
    """The page's arguments (after ``--`` on Streamlit's command line): the scenario file,
    or nothing for the mid-size starting scenario, ``--replications N`` to start with and
    ``--workers N`` (default: one per usable core)."""
    parser = argparse.ArgumentParser(prog="itsim app")
    parser.add_argument("scenario", nargs="?", default="")
    parser.add_argument("--replications", type=int, default=DEFAULT_REPLICATIONS)
    parser.add_argument("--workers", type=int, default=None)
    return parser.parse_args(sys.argv[1:])


@st.cache_data
def scenario_file(path: str) -> tuple[str, str]:
    """The scenario's text and where it came from (for the header of a what-if file)."""
    if not path:
        from itsim.templates import template_text

        return template_text(TEMPLATE), f"itsim init --template {TEMPLATE}"
    return Path(path).read_text(encoding="utf-8"), Path(path).name


# -- the sidebar: levers ------------------------------------------------------------------


def people(scenario: Scenario) -> dict[str, int]:
    st.sidebar.subheader("People")
    return {team.role: int(st.sidebar.number_input(
        team.role.replace("_", " ").capitalize(), min_value=0, max_value=10_000, value=team.count, step=1,
        key=f"people.{team.role}", help=f"People in the role {team.role}; today {team.count}."))
        for team in scenario.team}


RATE_WORDS = {"rate_per_day": "a working day", "rate_per_hour": "an hour", "rate_per_month": "a month",
              "rate_per_week": "a week"}


def demand(scenario: Scenario) -> tuple[float, float]:
    st.sidebar.subheader("Demand")
    shares = []
    for section, label in (("incidents", "Incident volume"), ("projects", "Project requests")):
        today = lv.todays_rate(scenario, section)
        if today is None:
            shares.append(1.0)
            continue
        key, rate = today
        words = "a day" if key == "rate_per_day" and scenario.scenario.calendar == "24x7" else RATE_WORDS[key]
        shares.append(st.sidebar.slider(f"{label}, % of today's", 10, 300, 100, 5, key=f"volume.{section}",
                                        help=f"Today {fmt.number(rate)} {words} ({section}.{key}).") / 100)
    return shares[0], shares[1]


def policy(scenario: Scenario) -> tuple[tuple[str, ...], dict[str, Any]]:
    st.sidebar.subheader("Policy")
    today = tuple(scenario.policy.names)
    options = [(name,) for name in lv.policy_names()]
    if today not in options:
        options.insert(0, today)
    chosen = st.sidebar.selectbox("Policy", options, index=options.index(today), key="policy",
                                  label_visibility="collapsed",
                                  format_func=lambda names: fmt.policy_label("+".join(names)),
                                  help="How the team chooses its next piece of work, and which demand it takes on.")
    for name in chosen:
        st.sidebar.caption(lv.policy_description(name))
    values = lv.parameter_values(scenario, chosen)
    params = {}
    for name in chosen:
        for parameter in lv.policy_parameters(name):
            params[parameter.name] = parameter_widget(parameter, values.get(parameter.name), name, scenario)
    return chosen, params


def parameter_widget(p: lv.Parameter, value: Any, policy_name: str, scenario: Scenario) -> Any:
    """A widget for one policy parameter, starting at the scenario's value or the default."""
    key = f"param.{policy_name}.{p.name}"
    default = "works it out" if p.default is None else f"default {p.default}"
    helptext = f"{p.description} ({p.name}; {default})."
    label = p.name.replace("_", " ").capitalize()
    roles = [t.role for t in scenario.team]
    if p.kind == "bool":
        return st.sidebar.checkbox(label, value=bool(value), key=key, help=helptext)
    if p.kind in ("int", "float"):
        step = 1 if p.kind == "int" else (0.01 if (p.high or 0) <= 1 else 0.5)
        low = None if p.low is None else p.low + (step if p.low_open else 0)
        high = None if p.high is None else p.high - (step if p.high_open else 0)
        cast = int if p.kind == "int" else float
        got = st.sidebar.number_input(
            label, min_value=None if low is None else cast(low), max_value=None if high is None else cast(high),
            value=None if value is None else cast(value), step=cast(step), key=key, help=helptext,
            placeholder="unset: the policy works it out" if p.optional else None)
        return None if got is None else cast(got)
    if p.kind == "role":
        choices = [None, *roles]
        return st.sidebar.selectbox(label, choices, index=choices.index(value) if value in choices else 0, key=key,
                                    help=helptext, format_func=lambda r: "the policy's choice" if r is None else r)
    if p.kind == "roles":
        got = st.sidebar.multiselect(label, roles, default=[r for r in value or [] if r in roles], key=key,
                                     help=helptext, placeholder="the policy's choice")
        return got or None
    if p.kind == "text":
        return st.sidebar.text_input(label, value=value or "", key=key, help=helptext) or None
    st.sidebar.caption(f"{label}: set in the scenario file ({p.description})")
    return value


def surge(scenario: Scenario) -> lv.Surge | None:
    st.sidebar.subheader("Surge")
    if not st.sidebar.checkbox("Add a surge in demand", key="surge.on",
                               help="A time-bounded rise in demand, added to the scenario as a [[phase]]."):
        return None
    horizon = scenario.scenario.horizon_days
    size = st.sidebar.slider("Extra demand, %", 10, 300, 50, 10, key="surge.size")
    applies_to = st.sidebar.selectbox("On", list(lv.SURGE_KEYS), key="surge.on_what",
                                      format_func=lambda k: lv.SURGE_WORDS[k].capitalize())
    first = min(horizon // 4, horizon - 1)  # by default eight weeks from a quarter in, within the horizon
    start = st.sidebar.number_input("Starting on day", 0, max(0, horizon - 1), first, 1,
                                    key="surge.start", help="Days after the warm-up.")
    length = st.sidebar.number_input("For days", 1, horizon, max(1, min(56, horizon - first)), 1, key="surge.length")
    return lv.Surge(size / 100, float(start), float(length), applies_to)


def simulation_settings(scenario: Scenario, replications: int) -> tuple[int, int]:
    with st.sidebar.expander("Simulation"):
        runs = st.number_input("Simulated runs", 2, 1000, replications, 1, key="replications",
                               help="Each answer compares this many runs of the what-if with the same runs of "
                                    "today's scenario (the same random demand: paired differences).")
        seed = st.number_input("Seed", 0, 2**31 - 1, scenario.scenario.seed, 1, key="seed")
    return int(runs), int(seed)


# -- the main area: the answer ---------------------------------------------------------------


def show_progress(place, job: Job, until: str) -> None:
    """Show the job's progress in ``place`` (one element, replaced as a whole) until it
    has an outcome (``until="outcome"``) or has finished."""
    while not (job.finished or (until == "outcome" and job.outcome is not None)):
        place.progress(job.fraction, text=f"{job.stage.capitalize()}: {job.done} of "
                                          f"{fmt.plural(job.total, 'simulated run')} done")
        time.sleep(POLL_S)


def coloured(state: str | None, text: str) -> str:
    """``text`` in the colour of the status, in Streamlit's markdown (amber is its orange)."""
    colour = {"green": "green", "amber": "orange", "red": "red"}.get(STATUS_COLOURS.get(str(state), ""))
    return f":{colour}[{text}]" if colour else text


def answer(outcome: Outcome) -> None:
    comparison = outcome.comparison
    a, b = comparison.verdict_a, comparison.verdict_b
    st.markdown(f"**Your what-if:** {coloured(b.status, fmt.verdict_sentence(b.status, b.probability, b.ci95))}  \n"
                f"**Today:** {coloured(a.status, fmt.verdict_sentence(a.status, a.probability, a.ci95))}")
    st.html(comparison_html(comparison, "Today's scenario (A) and your what-if (B)"))
    st.subheader("What the simulation shows")
    tabs = st.tabs(["Your what-if", "Today's scenario"])
    for tab, side in zip(tabs, ("what-if", "baseline"), strict=True):
        with tab:
            for chart in outcome.charts[side]:
                st.vega_lite_chart(chart.spec, theme=None, key=f"chart.{side}.{chart.name}")
                st.caption(chart.caption)


def downloads(job: Job, stem: str) -> None:
    """The what-if as a scenario file and as a report; each button is its what-if's own
    (its key), never one of an earlier what-if."""
    st.subheader("Take it away")
    st.download_button("Download the what-if scenario (TOML)", job.request.whatif, f"{stem}-what-if.toml",
                       "application/toml", key=f"download.scenario.{hash(job.request)}", on_click="ignore",
                       help="Your scenario file with the changed values; every comment kept.")
    slot = st.empty()
    show_progress(slot, job, "finished")
    if job.report is not None:
        slot.download_button("Download the report (HTML)", job.report, f"{stem}-what-if-report.html", "text/html",
                             key=f"download.report.{hash(job.request)}", on_click="ignore",
                             help="The what-if's report, compared with today's scenario; one file that opens offline.")
    elif job.failed:
        slot.error("The report could not be written: " + "; ".join(job.problems or []))


def main() -> None:
    st.set_page_config(page_title="itsim: what if…?", layout="wide")
    args = arguments()
    text, origin = scenario_file(args.scenario)
    try:
        base = loads_scenario(text, source=origin)
    except ScenarioError as exc:
        st.error("\n\n".join(exc.problems))
        return
    st.title("What if…?")
    st.caption(f"{base.name}, from {origin}. Move the levers on the left, then press Run: the what-if is "
               "simulated beside today's scenario, with the same random demand, so the differences are its own.")
    levers = lv.Levers(people(base), *demand(base), *policy(base), surge=surge(base))
    runs, seed = simulation_settings(base, args.replications)
    sims = simulations(args.workers or usable_cores())
    sims.prepare((text, seed, runs))  # today's scenario, while the levers move
    try:
        whatif = lv.whatif(text, levers, origin)
    except ScenarioError as exc:
        st.error("This what-if is not a valid scenario:\n\n" + "\n\n".join(f"- {p}" for p in exc.problems))
        return
    moved = lv.describe(base, levers)
    st.markdown("**Your what-if:** " + ("; ".join(moved) if moved else "no lever moved yet: today's scenario."))
    request = Request(text, whatif.text, seed, runs, origin)
    if st.button("Run", type="primary", key="run"):
        sims.submit(request)
    # One element holds the whole answer and is replaced as a whole: while a new answer is
    # worked out it shows only the progress, so no verdict or download button of an
    # earlier what-if lingers on the page.
    respond(sims, request, Path(origin).stem if args.scenario else TEMPLATE, st.empty())


def respond(sims: Simulations, request: Request, stem: str, place) -> None:
    """The answer to ``request`` in ``place``: its progress, then the verdicts, figures,
    charts and downloads; the last answer shown, marked as such, while the levers have
    moved."""
    job = sims.job(request)
    moved = job is None
    if moved:
        shown = st.session_state.get("shown")
        job = sims.job(shown) if shown is not None else None
        if job is None or job.outcome is None:
            place.info(f"Press Run to simulate {fmt.plural(request.replications, 'run')} of your what-if "
                       "and of today's scenario.")
            return
    show_progress(place, job, "outcome")
    if job.outcome is None:
        place.error("The what-if could not be simulated:\n\n" + "\n\n".join(f"- {p}" for p in job.problems or []))
        return
    st.session_state["shown"] = job.request
    with place.container():
        if moved:
            st.warning("The levers have moved since this answer: press Run for the new settings.")
        answer(job.outcome)
        downloads(job, stem)
