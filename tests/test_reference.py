"""The reference pages are generated from the code and cover all of it: every scenario key
with a meaning, every metric a run computes, every command and option, every policy and
parameter."""

import typing

import pytest
import typer.main
from pydantic import BaseModel

import itsim
from itsim.catalogue import DEFINITIONS, describe
from itsim.cli import app
from itsim.policies import available
from itsim.reference import commands_page, metrics_page, policies_page, scenario_keys, scenario_page
from itsim.reference.fields import default_text, range_text, type_text
from itsim.scenario import Scenario, Targets
from tests.notebook_fixtures import small


def _field_count(model: type[BaseModel]) -> int:
    total = 0
    for field in model.model_fields.values():
        nested = [a for a in (field.annotation, *typing.get_args(field.annotation))
                  if isinstance(a, type) and issubclass(a, BaseModel) and a.__module__ == "itsim.scenario"]
        sections = model is Scenario and nested
        total += (0 if sections else 1) + (_field_count(nested[0]) if nested else 0)
    return total


def test_every_scenario_key_is_listed_with_a_type_and_a_meaning():
    keys = scenario_keys()
    assert len(keys) == _field_count(Scenario)
    missing = [k.key for k in keys if not k.meaning]
    assert not missing, f"keys without a meaning (a docstring under the field, or MEANINGS): {missing}"
    page = scenario_page()
    for k in keys:
        assert f"| `{k.key}` | " in page


def test_scenario_key_words():
    by_key = {k.key: k for k in scenario_keys()}
    assert (by_key["incidents.deflection"].type, by_key["incidents.deflection"].range) == ("number", "≥ 0 and < 1")
    assert by_key["incidents.deflection"].unit == "share (0–1)"
    assert by_key["team[].count"].range == "0 to 10,000" and by_key["team[].count"].default == "required"
    assert by_key["incidents.effort_hours"].type == "distribution"
    assert by_key["scenario.calendar"].type == '`"24x7"` or `"business"`'
    assert by_key["scenario.calendar"].default == '"business"'
    assert by_key["projects.patience_days"].default == "none" and by_key["projects.patience_days"].unit == "days"
    assert by_key["targets.at_risk_above"].default == "0.2"
    field = Targets.model_fields["max_utilization"]
    assert (type_text(field.annotation), range_text(field), default_text(field)) == ("number", "> 0 and ≤ 1", "0.85")


def test_every_metric_a_run_computes_is_in_the_catalogue():
    rich = small(**{"dynamics.debt_per_skipped_hour": 1.0, "projects.care_and_feeding_hours_per_week": 1.0,
                    "costs.per_leaver": 100.0})
    metrics = itsim.simulate(rich, seed=1).metrics
    for name in metrics:
        info = describe(name)
        assert info.definition and info.label and info.unit, name
    page = metrics_page()
    for name in DEFINITIONS:
        assert f"| `{name}` |" in page


def test_the_spec_metrics_are_in_the_catalogue():
    spec = ["incident_wait_hours", "incident_resolve_hours", "incident_sla_attainment", "incidents_arrived",
            "incidents_deflected", "incidents_abandoned", "utilization", "hours_share.firefighting",
            "recurring_on_time_share", "recurring_skipped", "tech_debt_hours_end", "project_lead_time_days",
            "projects_delivered", "projects_declined", "projects_withdrawn_shadow_it", "project_backlog_end",
            "open_work_hours_end", "security_incidents", "staff_left", "cost_total", "cost_of_delay",
            "value_delivered", "recurring_hours_on_time_share", "neglect_hours.security", "value_declined",
            "value_lost_shadow_it", "incident_wait_hours.P1", "utilization.engineer"]
    for name in spec:
        describe(name)
    with pytest.raises(KeyError, match="not in the metric catalogue"):
        describe("no_such_metric")


def test_every_command_and_option_is_in_the_command_reference():
    page = commands_page()
    group = typer.main.get_command(app)
    ctx = group.context_class(group, info_name="itsim")
    for name in group.list_commands(ctx):
        assert f"## `itsim {name}`" in page
        command = group.get_command(ctx, name)
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("-") and opt != "--help":
                    assert opt in page, (name, opt)
    assert "--format" in page and "--xlsx" in page


def test_every_policy_and_parameter_is_in_the_policy_reference():
    page = policies_page()
    for name, cls in available().items():
        assert f"## `{name}`" in page
        for key in cls.Params.model_fields:
            assert f"| `{key}` |" in page
    assert "Takes over: `may_start_project`" in page.split("## `wip_limit`")[1].split("##")[0]


def test_the_policy_interface_page_documents_every_decision_point_and_every_member_of_the_view():
    import inspect

    from itsim.policies import view
    from itsim.policies.base import DECISION_POINTS
    from itsim.reference import policy_interface_page
    from itsim.reference.policy_interface import HANDED, when_and_what

    page = policy_interface_page()
    for hook in DECISION_POINTS:
        when, what, default = when_and_what(hook)
        assert when and what and default, f"{hook}: its docstring must say when it is asked, a colon, then Default:"
        assert f"### {hook}\n" in page and f"**Asked:** {when}." in page
    assert "**`direct_handoff`** (default `False`): A promise that" in page
    assert "**`deflects`**" in page
    for name in (n for n in dir(view.WorldView) if not n.startswith("_")):
        assert f"| `{name}" in page, name
    for cls in HANDED:
        assert f"### {cls.__name__}\n" in page
        for name in (n for n in vars(cls) if not n.startswith("_")):
            assert f"| `{name}: " in page and inspect.getdoc(getattr(cls, name)), (cls.__name__, name)
    assert page.index("### The clock") < page.index("| `now: float` |") < page.index("### The scenario")


def test_the_policy_reference_lists_the_decisions_in_the_interface_s_order():
    from itsim.policies.base import DECISION_POINTS
    from itsim.reference.policies import HOOKS

    assert list(HOOKS) == [h for h in DECISION_POINTS if h not in ("bind", "unbind")]



def test_the_how_to_table_lists_every_decision_point():
    from pathlib import Path

    from itsim.policies.base import DECISION_POINTS

    guide = (Path(__file__).resolve().parent.parent / "docs" / "how-to" / "write-a-policy.md").read_text()
    rows = [line.split("|")[1].strip() for line in guide.splitlines() if line.startswith("| `")]
    assert [row.split("(")[0].strip("`") for row in rows[:len(DECISION_POINTS)]] == list(DECISION_POINTS)
