"""The policy interface reference page, from the code: the decision points of
:class:`itsim.policies.base.Policy` in order with their docstrings, what ``direct_handoff``
and ``deflects`` change, every member of :class:`itsim.policies.view.WorldView` by
section, and what a policy may read of the people, roles, work and projects it is handed."""

from __future__ import annotations

import inspect
import re

from itsim.policies import combined, view
from itsim.policies.base import DECISION_POINTS, Policy
from itsim.reference.fields import attribute_docstrings

SECTION = re.compile(r"^\s*# -- (?P<title>.+?) -+$")
MEMBER = re.compile(r"^\s*def (?P<name>[a-z]\w*)\(")
#: What the hooks are handed besides the world, in the order the page lists them.
HANDED = (view.Person, view.Role, view.WorkItem, view.RecurringTask, view.Project)


def _text(doc: str | None) -> str:
    """A docstring as one Markdown paragraph: ``code`` for ``code``, roles dropped."""
    text = " ".join((doc or "").split())
    text = re.sub(r":(?:class|meth|func|data|attr|mod):`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def when_and_what(hook: str) -> tuple[str, str, str]:
    """A hook's docstring split as ``(when it is asked, what it decides, its default)``:
    the docstring's text up to the first colon, the rest, and what follows ``Default:``."""
    doc = _text(inspect.getdoc(getattr(Policy, hook)))
    when, _, rest = doc.partition(": ")
    what, _, default = rest.partition(" Default: ")
    return when, what[:1].upper() + what[1:], default.rstrip(".")


def signature(cls: type, name: str) -> str:
    """``name(params) -> result`` of a method, ``name: type`` of a property (annotations as written)."""
    member = inspect.getattr_static(cls, name)
    if isinstance(member, property):
        return f"{name}: {inspect.signature(member.fget).return_annotation}"
    sig = inspect.signature(member)
    shown = ", ".join(_parameter(p) for p in list(sig.parameters.values())[1:])
    result = sig.return_annotation
    return f"{name}({shown})" + ("" if result is inspect.Signature.empty else f" -> {result}")


def _parameter(p: inspect.Parameter) -> str:
    text = p.name if p.annotation is inspect.Parameter.empty else f"{p.name}: {p.annotation}"
    return text if p.default is inspect.Parameter.empty else f"{text} = {p.default!r}"


def view_sections() -> list[tuple[str, list[str]]]:
    """The members of :class:`WorldView` in source order, under the section comments of its source."""
    sections: list[tuple[str, list[str]]] = []
    for line in inspect.getsource(view.WorldView).splitlines():
        if (m := SECTION.match(line)) is not None:
            sections.append((m["title"], []))
        elif (m := MEMBER.match(line)) is not None and sections:
            sections[-1][1].append(m["name"])
    return sections


def _hook_lines() -> list[str]:
    lines = ["| hook | asked | default |", "|---|---|---|"]
    for hook in DECISION_POINTS:
        when, _, default = when_and_what(hook)
        lines.append(f"| [`{hook}`](#{hook}) | {_cell(when)} | {_cell(default)} |")
    for hook in DECISION_POINTS:
        when, what, default = when_and_what(hook)
        lines += ["", f"### {hook}", "", f"`{signature(Policy, hook)}`", "", f"**Asked:** {when}.", "",
                  what + (f" **Default:** {default}." if default else "")]
    return lines


def policy_interface_page() -> str:
    """The decision points, the flags that change them, the world view and what hooks are handed."""
    flags = attribute_docstrings(Policy)
    lines = [
        "# The policy interface",
        "",
        "Generated from the code (`itsim.policies.base.Policy` and `itsim.policies.view`), so it",
        "always matches the installed itsim. A policy is a class that overrides some of the",
        "decision points below; the engine asks it at those points and hands it `world`, the",
        "world as a policy sees it (`WorldView`), and the people, roles, work and projects",
        "concerned. Nothing else of the engine is part of the interface. How to write one:",
        "[Write and register a policy](../how-to/write-a-policy.md); the built-in ones:",
        "[Policies](policies.md). Times are hours since time 0, a Monday 00:00; effort is hours",
        "of work at productivity 1. Events at the same instant follow the",
        "[same-time event order](../background/event-order.md).",
        "",
        "## Decision points",
        "",
        *_hook_lines(),
        "",
        "## What the class attributes change",
        "",
    ]
    for flag in ("direct_handoff", "deflects"):
        lines += [f"**`{flag}`** (default `{getattr(Policy, flag)}`): {_text(flags[flag])}", ""]
    lines += [
        "## Combined policies",
        "",
        _text(inspect.getdoc(combined)) + " The combination hands work straight to idle people only"
        " if every part does (`direct_handoff`), and deflects if any part does.",
        "",
        "## The world view",
        "",
        _text(inspect.getdoc(view.WorldView)) + " Import the kinds of work from the same module:",
        "`from itsim.policies.view import INCIDENT, RECURRING, PROJECT`.",
    ]
    for title, names in view_sections():
        lines += ["", f"### {title[:1].upper()}{title[1:]}", "", "| member | meaning |", "|---|---|"]
        lines += [f"| `{_cell(signature(view.WorldView, n))}` | "
                  f"{_cell(_text(inspect.getdoc(inspect.getattr_static(view.WorldView, n))))} |" for n in names]
    lines += ["", "## What hooks are handed", ""]
    for cls in HANDED:
        lines += [f"### {cls.__name__}", "", _text(inspect.getdoc(cls)), "", "| attribute | meaning |", "|---|---|"]
        own = [n for n in vars(cls) if not n.startswith("_")]
        lines += [f"| `{_cell(signature(cls, n))}` | {_cell(_text(inspect.getdoc(getattr(cls, n))))} |"
                  for n in own]
        bases = [b.__name__ for b in cls.__bases__ if b in HANDED]
        lines += ["", f"And every attribute of {', '.join(bases)}.", ""] if bases else [""]
    return "\n".join(lines).rstrip() + "\n"
