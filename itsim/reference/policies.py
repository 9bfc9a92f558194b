"""The policy reference page, from the policy registry: what each policy does, which
decisions it takes over, and its parameters."""

from __future__ import annotations

import inspect

from itsim.policies import available
from itsim.policies.base import Policy
from itsim.reference.fields import default_text, range_text, type_text

#: The decisions a policy may take over, in words, in the order of
#: :data:`~itsim.policies.base.DECISION_POINTS` (``bind`` and ``unbind`` only prepare and stop).
HOOKS = {
    "adjust": "changes the scenario before the run",
    "accept_project": "accepts or declines project requests",
    "may_start_project": "says whether a new project may start",
    "select": "chooses what a free person works on",
    "takes": "says whether an idle person would take an arriving item",
    "may_preempt": "says whether an arriving incident may interrupt someone",
    "portfolio_key": "orders the waiting projects",
    "deflection_share": "sets the share of incidents solved by self-service",
    "recurring_done": "hears when recurring work is finished",
}


def description(cls: type[Policy]) -> str:
    """What a policy does: its class docstring, else its module's."""
    doc = inspect.getdoc(cls) if cls.__doc__ else inspect.getdoc(inspect.getmodule(cls))
    return " ".join((doc or "").split("\n\n")[0].split())


def overridden(cls: type[Policy]) -> list[str]:
    """The decision points of :class:`Policy` that ``cls`` takes over."""
    return [hook for hook in HOOKS if getattr(cls, hook) is not getattr(Policy, hook)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def policies_page() -> str:
    """Every registered policy (built-in, registered, or installed through entry points)."""
    lines = [
        "# Policies",
        "",
        "Every policy known to this installation, generated from the policy registry",
        "(`itsim.policies.available()`). Name one in a scenario with `[policy] name = \"...\"`, or",
        "a list to combine them (`name = [\"wip_limit\", \"protected_maintenance\"]`); parameters are",
        "keys of the same `[policy]` table. A parameter whose default is `none` is worked out from",
        "the scenario, as its meaning says. How to write your own:",
        "[Write and register a policy](../how-to/write-a-policy.md); when each decision is asked and",
        "what a policy may call: [the policy interface](policy-interface.md).",
    ]
    for name, cls in available().items():
        hooks = overridden(cls)
        lines += ["", f"## `{name}`", "", description(cls), ""]
        lines.append("Takes over: " + ("; ".join(f"`{h}` ({HOOKS[h]})" for h in hooks) if hooks
                                         else "nothing (the default choices).")
                     + (" Hands work straight to idle people (`direct_handoff`)." if cls.direct_handoff else ""))
        fields = cls.Params.model_fields
        if fields:
            lines += ["", "| parameter | type | default | range | meaning |", "|---|---|---|---|---|"]
            lines += [f"| `{key}` | {type_text(f.annotation)} | {default_text(f)} | {range_text(f)} | "
                      f"{_cell(f.description or '')} |" for key, f in fields.items()]
        else:
            lines += ["", "No parameters."]
    return "\n".join(lines) + "\n"
