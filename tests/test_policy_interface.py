"""The policy interface: the view handed to policies offers exactly what
:class:`itsim.policies.view.WorldView` documents, its counts and clock agree with the
engine, and the built-in policies touch the world only through it (a check of their
source, annotation-driven: what a hook is handed is followed through assignments,
loops and calls, and every attribute read on it must be a documented one)."""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
import typing
from pathlib import Path

import pytest

import itsim
from itsim.model.world import World
from itsim.policies import view
from itsim.policies.base import DECISION_POINTS, Policy
from itsim.scenario import Scenario
from tests.test_policies import DEPARTMENT

POLICIES = Path(view.__file__).parent
#: The documented types a policy is handed, by the name its annotations use.
DOCUMENTED = {cls.__name__: cls for cls in (view.WorldView, view.Person, view.Role, view.WorkItem,
                                            view.RecurringTask, view.Project)}
#: What a hook's parameters must be annotated as, by parameter name.
PARAMETER_TYPES = {"world": {"WorldView"}, "person": {"Person"}, "victim": {"Person"},
                   "item": {"WorkItem", "RecurringTask"}, "project": {"Project"}, "role": {"Role"}}


def members(cls: type) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_")}


def hints(cls: type, name: str) -> dict:
    member = inspect.getattr_static(cls, name)
    target = member.fget if isinstance(member, property) else member
    return typing.get_type_hints(target, localns={"Scenario": Scenario, "World": World})


def documented_type(annotation) -> tuple[str | None, bool]:
    """``(name of the documented type, whether it is a sequence of it)`` of an annotation."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        found = [documented_type(a) for a in args if a is not type(None)]
        return found[0] if len(found) == 1 else (None, False)
    if typing.get_origin(annotation) is not None and args and getattr(args[0], "__name__", None) in DOCUMENTED:
        return args[0].__name__, True
    name = getattr(annotation, "__name__", None)
    return (name, False) if name in DOCUMENTED else (None, False)


class InterfaceCheck(ast.NodeVisitor):
    """Finds reads of undocumented attributes on what the documented types hand out, reads
    of private attributes of anything but ``self``, and imports of the engine."""

    def __init__(self, source: str, filename: str):
        self.filename = filename
        self.problems: list[str] = []
        self.tree = ast.parse(source)
        self.fields: dict[str, tuple[str | None, bool]] = {}  # self.X, within the class being read
        self.scope: dict[str, tuple[str | None, bool]] = {}

    def run(self) -> list[str]:
        self.visit(self.tree)
        return self.problems

    def problem(self, node: ast.AST, text: str) -> None:
        self.problems.append(f"{self.filename}:{node.lineno}: {text}")

    # -- types of expressions

    def type_of(self, node: ast.AST) -> tuple[str | None, bool]:
        if isinstance(node, ast.Name):
            return self.scope.get(node.id, (None, False))
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                return self.fields.get(node.attr, (None, False))
            owner, many = self.type_of(node.value)
            if owner is None or many or node.attr not in members(DOCUMENTED[owner]):
                return None, False
            member = inspect.getattr_static(DOCUMENTED[owner], node.attr)
            return documented_type(hints(DOCUMENTED[owner], node.attr).get("return")) if isinstance(
                member, property) else (None, False)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner, many = self.type_of(node.func.value)
            if owner is not None and not many and node.func.attr in members(DOCUMENTED[owner]):
                return documented_type(hints(DOCUMENTED[owner], node.func.attr).get("return"))
        if isinstance(node, ast.Subscript):
            owner, many = self.type_of(node.value)
            return (owner, False) if many else (None, False)
        return None, False

    def bind(self, target: ast.AST, value_type: tuple[str | None, bool]) -> None:
        if isinstance(target, ast.Name):
            self.scope[target.id] = value_type
        elif (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"
              and value_type[0] is not None):
            self.fields[target.attr] = value_type

    # -- visiting

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        outer = self.fields
        self.fields = {}
        methods = [n for n in node.body if isinstance(n, ast.FunctionDef)]
        for _ in range(2):  # fields set in one method (bind) are read in others
            for method in methods:
                self.visit_FunctionDef(method, report=False)
        for child in node.body:
            self.visit(child)
        self.fields = outer

    def visit_FunctionDef(self, node: ast.FunctionDef, report: bool = True) -> None:
        outer, problems = self.scope, self.problems
        self.scope = dict(outer)
        if not report:
            self.problems = []
        for arg in node.args.args + node.args.kwonlyargs:
            annotation = ast.unparse(arg.annotation) if arg.annotation is not None else None
            self.scope[arg.arg] = (annotation, False) if annotation in DOCUMENTED else (None, False)
            expected = PARAMETER_TYPES.get(arg.arg)
            if report and expected is not None and annotation not in expected:
                self.problem(arg, f"parameter {arg.arg!r} of {node.name} must be annotated as "
                                  f"{' or '.join(sorted(expected))}, not {annotation}")
        for statement in node.body:
            self.visit(statement)
        self.scope, self.problems = outer, problems

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.bind(target, self.type_of(node.value))
            self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self.bind(node.target, self.type_of(node.value))

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        owner, many = self.type_of(node.iter)
        self.bind(node.target, (owner, False) if many else (None, False))
        for statement in node.body + node.orelse:
            self.visit(statement)

    def _comprehension(self, node) -> None:
        outer = self.scope
        self.scope = dict(outer)
        for gen in node.generators:
            self.visit(gen.iter)
            owner, many = self.type_of(gen.iter)
            self.bind(gen.target, (owner, False) if many else (None, False))
            for condition in gen.ifs:
                self.visit(condition)
        for part in ("elt", "key", "value"):
            if hasattr(node, part):
                self.visit(getattr(node, part))
        self.scope = outer

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _comprehension

    def visit_Attribute(self, node: ast.Attribute) -> None:
        receiver = node.value
        dunder = node.attr.startswith("__") and node.attr.endswith("__")
        own = isinstance(receiver, ast.Name) and receiver.id in ("self", "cls")
        if node.attr.startswith("_") and not dunder and not own:
            self.problem(node, f"reads the private attribute {ast.unparse(node)!r}")
        owner, many = self.type_of(receiver)
        if owner is not None and not many and node.attr not in members(DOCUMENTED[owner]):
            self.problem(node, f"{ast.unparse(node)!r}: {node.attr!r} is not part of {owner} "
                               f"(itsim.policies.view)")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if (node.module or "").startswith("itsim.model") and not self.in_type_checking(node):
            self.problem(node, f"imports the engine ({node.module}): use itsim.policies.view")

    def in_type_checking(self, node: ast.AST) -> bool:
        return any(isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING" and node in ast.walk(n)
                   for n in ast.walk(self.tree))


def interface_problems(source: str, filename: str = "<policy>") -> list[str]:
    return InterfaceCheck(textwrap.dedent(source), filename).run()


# -- the check itself ------------------------------------------------------------------------


def test_built_in_policies_touch_the_world_only_through_the_documented_interface():
    problems = []
    for path in sorted(POLICIES.glob("*.py")):
        if path.name != "view.py":  # the interface itself
            problems += interface_problems(path.read_text(encoding="utf-8"), path.name)
    assert not problems, "\n".join(problems)


def test_the_interface_check_finds_reaching_into_the_engine():
    source = '''
        from itsim.model.work import INCIDENT
        from itsim.policies.view import Person, Project, RecurringTask, WorkItem, WorldView

        class Sneaky:
            def bind(self, world: WorldView) -> None:
                self.world = world
                self.first = [r for r in world.roles if r.incident_queues]

            def may_start_project(self, world: WorldView) -> bool:
                return len(world.portfolio.in_progress) < 2

            def select(self, person: Person, world: WorldView) -> WorkItem | None:
                role = person.role
                for p in self.world.people(role):
                    p.seg_start
                item = world.take_incident(role)
                return item if item.queue.live else world._world.take_default(person)

            def recurring_done(self, item: RecurringTask, world) -> None:
                item.task.index

            def portfolio_key(self, project: Project):
                return project.actual
    '''
    found = "\n".join(interface_problems(source))
    for expected in ("imports the engine (itsim.model.work)", "'incident_queues' is not part of Role",
                     "'portfolio' is not part of WorldView", "'seg_start' is not part of Person",
                     "'queue' is not part of WorkItem", "private attribute 'world._world'",
                     "parameter 'world' of recurring_done must be annotated as WorldView",
                     "'task' is not part of RecurringTask", "'actual' is not part of Project"):
        assert expected in found, (expected, found)


def test_a_policy_written_against_the_interface_passes_the_check():
    source = '''
        from itsim.policies.view import INCIDENT, Person, WorkItem, WorldView

        class Careful:
            def bind(self, world: WorldView) -> None:
                self.world = world
                self.desks = {r for r in world.roles if world.handles(r, INCIDENT)}

            def select(self, person: Person, world: WorldView) -> WorkItem | None:
                if person.role in self.desks and world.incidents_waiting(person.role, max_rank=0):
                    return world.take_incident(person.role, max_rank=0)
                item = person.item
                return world.take_default(person) if item is None or item.rank > 0 else None
    '''
    assert interface_problems(source) == []


# -- the view agrees with the documentation and the engine ---------------------------------------


@pytest.fixture(scope="module")
def run():
    scenario = itsim.loads_scenario(DEPARTMENT).with_changes({
        "scenario.horizon_days": 30, "dynamics.debt_per_skipped_hour": 1.0,
        "incidents.on_call": {"role": "engineer"}, "policy.name": "wip_limit",
    })
    return itsim.simulate(scenario, seed=5)


def test_the_view_offers_exactly_what_world_view_documents(run):
    bound = run.world.view
    documented = members(view.WorldView)
    offered = {n for n in dir(bound) if not n.startswith("_")}
    assert offered == documented
    for name in documented:
        member = inspect.getattr_static(view.WorldView, name)
        assert inspect.getdoc(member), f"WorldView.{name} has no docstring"
        if not isinstance(member, property):
            wanted = list(inspect.signature(member).parameters)[1:]
            assert list(inspect.signature(getattr(bound, name)).parameters) == wanted, name


def test_every_documented_attribute_of_what_hooks_are_handed_exists_on_the_engine_s_objects():
    from itsim.model import dynamics, projects, staff, work

    engine = {view.Person: [staff.Person], view.Role: [staff.Role], view.Project: [projects.Project],
              view.WorkItem: [work.Incident, work.RecurringTask, work.ProjectChunk, dynamics.Remediation],
              view.RecurringTask: [work.RecurringTask]}
    for protocol, classes in engine.items():
        for name in members(protocol):
            assert inspect.getdoc(inspect.getattr_static(protocol, name)), (protocol.__name__, name)
            for cls in classes:
                assert hasattr(cls, name), (protocol.__name__, cls.__name__, name)


def test_the_view_reads_the_engine_s_counts_and_clock(run):
    world, bound = run.world, run.world.view
    assert bound.now == world.end and bound.day == int(world.end // 24) and bound.week == int(world.end // 168)
    assert bound.weekday == bound.day % 7
    assert (bound.warmup_end, bound.horizon_end) == (world.warmup, world.end)
    desk, engineer = world.role["desk"], world.role["engineer"]
    assert bound.role("engineer") is engineer and bound.project_roles == [engineer]
    assert [bound.handles(desk, k) for k in (view.INCIDENT, view.RECURRING, view.PROJECT)] == [True, False, False]
    assert [bound.handles(engineer, k) for k in (view.INCIDENT, view.RECURRING, view.PROJECT)] == [True] * 3
    assert bound.incidents_waiting(engineer) == sum(q.live for q in engineer.incident_queues)
    assert bound.incidents_waiting(engineer, max_rank=0) == sum(
        q.live for q in engineer.incident_queues if q.rank == 0)
    assert bound.recurring_waiting(engineer) == sum(q.live for q in engineer.recurring_queues)
    assert bound.tech_debt_hours == world.tech_debt and bound.open_work_hours == world.open_work
    pf = world.portfolio
    assert (bound.projects_waiting(), bound.projects_in_progress()) == (len(pf.waiting), len(pf.in_progress))
    assert list(bound.projects("in_progress")) == pf.in_progress
    assert bound.head_count(engineer) == 5 and list(bound.people(engineer)) == engineer.people
    assert bound.productivity(desk) == 1.0  # productivity 1, overhead_share 0
    assert bound.days_closed == len(world.ledger.busy)
    day = bound.days_closed - 1
    assert bound.booked_on(engineer, view.PROJECT, day) == world.ledger.busy[day][engineer.index * 3 + 2]
    assert bound.idle_on(desk, day) == world.ledger.idle[day][desk.index]
    with pytest.raises(ValueError, match="state must be one of waiting, in_progress"):
        bound.projects("delivered")


def test_reaching_past_the_view_says_what_to_use_instead(run):
    with pytest.raises(AttributeError, match=r"no 'portfolio'; use projects_waiting\(\)"):
        run.world.view.portfolio  # noqa: B018
    with pytest.raises(AttributeError, match="did you mean 'head_count'"):
        run.world.view.headcount  # noqa: B018


def test_every_hook_of_a_policy_is_a_documented_decision_point():
    hooks = {n for n, f in vars(Policy).items() if inspect.isfunction(f) and not n.startswith("_")}
    assert set(DECISION_POINTS) == hooks - {"derived", "effective_params"}
    for hook in DECISION_POINTS:
        assert inspect.getdoc(getattr(Policy, hook)), hook
