"""The run report's block on uncertain inputs: shown, in words and a table, exactly when the
run had uncertain inputs, with the figures summary.json holds."""

import pytest

import itsim
from itsim.report import fmt
from itsim.report.build import write_report
from itsim.report.data import load_run
from itsim.report.uncertainty import uncertainty_table
from itsim.scenario import loads_scenario
from itsim.store import write_run
from tests.test_uncertainty import with_beliefs

HEADING = "How sure: uncertain inputs against simulation noise"


@pytest.fixture(scope="module")
def uncertain_run(tmp_path_factory):
    sc = loads_scenario(with_beliefs(rate='{ uncertain = "uniform", low = 2, high = 4.6 }'))
    out = tmp_path_factory.mktemp("uncertain")
    write_run(out, sc, itsim.replicate(sc, replications=3, samples=5))
    return out


def test_a_run_with_uncertain_inputs_shows_input_uncertainty_against_noise(uncertain_run):
    run = load_run(uncertain_run)
    block = run.summary["uncertainty"]
    table = uncertainty_table(run)
    assert table.title == HEADING
    rows = {row[0]: row for row in table.rows}
    busy = rows["Chance of being too busy"]
    assert busy[1] == fmt.percent(block["too_busy"]["probability"])
    assert busy[5] == fmt.percent(block["too_busy"]["input_share"])
    utilisation = rows[fmt.metric_label("utilization")]
    parts = block["metrics"]["utilization"]
    assert utilisation[1] == fmt.percent(run.summary["metrics"]["utilization"]["mean"])
    assert utilisation[3] == "± " + fmt.percent(parts["sd_input"])
    assert utilisation[4] == "± " + fmt.percent(parts["sd_noise"])
    assert utilisation[5] == fmt.percent(parts["input_share"])
    # A belief this wide drives utilisation: the words say so.
    assert parts["input_share"] > 0.8
    assert (f"{fmt.metric_label('utilization')}: {fmt.percent(parts['input_share'])} of its spread comes from "
            "the uncertain inputs") in table.note
    assert "5 Latin-hypercube samples x 3 replications" in table.note


def test_the_run_report_carries_the_block(uncertain_run):
    html = write_report(uncertain_run).read_text(encoding="utf-8")
    assert HEADING in html
    assert "Spread from simulation noise" in html


def test_a_run_without_uncertain_inputs_has_no_such_block(tmp_path):
    sc = loads_scenario(with_beliefs())
    write_run(tmp_path, sc, itsim.replicate(sc, replications=2))
    assert uncertainty_table(load_run(tmp_path)) is None
    assert HEADING not in write_report(tmp_path).read_text(encoding="utf-8")
