"""Reference pages generated from the code itself, so they cannot drift from it: every
scenario key (from the pydantic models), every metric (from the catalogue), every
command (from the command line's definition), every policy (from the registry) and the
policy interface (from the policy base class and the world view).

The documentation site builds them on the fly (``docs/hooks/reference.py``); each
function returns a page as Markdown.
"""

from itsim.reference.commands import commands_page
from itsim.reference.metrics import metrics_page
from itsim.reference.policies import policies_page
from itsim.reference.policy_interface import policy_interface_page
from itsim.reference.scenario_keys import scenario_keys, scenario_page

#: Generated pages by their path in the site.
PAGES = {
    "reference/scenario.md": scenario_page,
    "reference/metrics.md": metrics_page,
    "reference/cli.md": commands_page,
    "reference/policies.md": policies_page,
    "reference/policy-interface.md": policy_interface_page,
}

__all__ = [
    "PAGES", "commands_page", "metrics_page", "policies_page", "policy_interface_page", "scenario_keys",
    "scenario_page",
]
