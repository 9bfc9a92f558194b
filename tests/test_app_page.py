"""The what-if app's page without a browser (Streamlit's AppTest): levers start at the
scenario's values, moving them says what changed, Run answers, and a setting already
run answers again at once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

testing = pytest.importorskip("streamlit.testing.v1", reason="needs the app extra: pip install 'itsim[app]'")

SCENARIO = Path(__file__).resolve().parent / "fixtures" / "app_small.toml"
TIMEOUT_S = 300


def page(scenario: str) -> None:
    """The page as ``itsim app SCENARIO --replications 3 --workers 1`` runs it (AppTest
    runs this function's source as the script)."""
    import sys

    from itsim.app.page import main

    sys.argv = ["entry.py", scenario, "--replications", "3", "--workers", "1"]
    main()


@pytest.fixture
def app(monkeypatch):
    monkeypatch.setattr(sys, "argv", list(sys.argv))  # the page sets its own
    # AppTest leaves its script as the __main__ module; processes started with spawn
    # later in the session (Dask's, the app's) would run it again.
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    at = testing.AppTest.from_function(page, args=(str(SCENARIO),), default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    return at


def whatif_line(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Your what-if:**"))


def test_the_levers_start_at_the_scenarios_values(app) -> None:
    people = {w.label: w.value for w in app.sidebar.number_input}
    assert people == {"Service desk": 2, "Engineer": 4, "Simulated runs": 3, "Seed": 7}
    assert app.sidebar.selectbox(key="policy").value == ("firefight_first",)
    assert [s.value for s in app.sidebar.slider] == [100, 100]
    assert app.sidebar.checkbox(key="surge.on").value is False
    assert whatif_line(app) == "**Your what-if:** no lever moved yet: today's scenario."
    assert "Press Run" in app.info[0].value


def test_moving_levers_says_what_changed_and_shows_the_policys_parameters(app) -> None:
    app.sidebar.number_input(key="people.engineer").set_value(1).run()
    app.sidebar.selectbox(key="policy").set_value(("wip_limit",)).run()
    assert app.sidebar.number_input(key="param.wip_limit.wip_limit").value == 4  # derived from project people
    app.sidebar.slider(key="volume.incidents").set_value(150).run()
    app.sidebar.checkbox(key="surge.on").check().run()
    assert whatif_line(app) == (
        "**Your what-if:** People in the role engineer: 4 → 1; Incident volume: 150% of today's; "
        "Policy: Firefight first (today) → WIP limit (wip_limit = 4); "
        "Surge: incidents +50% for 42 days from day 14 after warm-up")


def test_run_answers_and_a_setting_already_run_answers_at_once(app) -> None:
    app.sidebar.number_input(key="people.engineer").set_value(1).run()
    app.button(key="run").click().run()
    assert not app.exception
    verdicts = next(m.value for m in app.markdown if m.value.startswith("**Your what-if:** :"))
    assert verdicts.startswith("**Your what-if:** :red[Too busy:")
    assert "**Today:** :green[Healthy:" in verdicts
    assert len(app.get("vega_lite_chart")) == 10  # five charts for each side
    assert [d.proto.label for d in app.get("download_button")] == [
        "Download the what-if scenario (TOML)", "Download the report (HTML)"]

    app.sidebar.number_input(key="people.engineer").set_value(3).run()
    assert "The levers have moved since this answer" in app.warning[0].value
    app.sidebar.number_input(key="people.engineer").set_value(1).run()  # back: no Run needed
    assert not app.warning
    assert any(m.value.startswith("**Your what-if:** :red[Too busy:") for m in app.markdown)
