"""The semantics live in one place: no module outside `podfence.engine` (and `podfence.model`,
which defines the values and their own meaning: LabelSelector.matches, IPBlock, IntervalSet)
evaluates selectors, peers, ports or ipBlocks, or reaches into the engine's internals.

Checked by reading every module's AST for the ways the semantics get re-derived:

- `matches`: calling `.matches(...)` (a label selector or requirement against labels);
- `contains`: calling `.contains(...)` (an IPBlock, AddressSet or PortSet membership test);
- `numeric-range`: calling `numeric_range(...)` (a policy port turned into numbers);
- `interval-construction`: building `AddressSet.of_block/of_network`, `IntervalSet(...)`,
  `IntervalSet.of/single`, cutting `.cuts()`, doing address arithmetic on a network
  (`.network_address`, `.broadcast_address`, `.address_exclude`), or defining another
  `merge_ranges` (cidr-minus-except, range merging and cut points by hand);
- `network-membership`: `x in ip_network(...)`, `x in <...>.cidr` / `.excepts`, or the
  network relations `.subnet_of/.supernet_of/.overlaps`;
- `engine-internals`: importing `engine.selector_index` or `engine.address_index`, a private
  name of the engine, `compile_peer`/`compile_port` (the policies compile once, in the
  engine), or from `engine.resolve` anything but its public API.

A finding is allowed only through ALLOWED (permanent, each with its reason) or
PENDING_MIGRATION (being fixed; see pending.py).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

from .pending import PENDING_MIGRATION, stale
from .walk import Module, modules

CORE = ("podfence.engine", "podfence.model")
"""Where the semantics are written (the packages and everything under them)."""

RESOLVE_API = frozenset(
    {
        "Resolver",
        "Group",
        "Placement",
        "named_numbers",
        "declared_numbers",
        "declared_ports",
        "party_families",
        "connection_families",
        "addresses_of",
    }
)
"""What a consumer may import from `podfence.engine.resolve`: the resolver itself and the
pure functions that ARE the core's rules (a named port's numbers, a party's families)."""

MATCH_VARIANTS = frozenset(
    {
        "AnyPeer",
        "AnyPod",
        "AnyPort",
        "IPPeer",
        "NamedPortMatcher",
        "NamespaceLabels",
        "NamespaceMatcher",
        "OwnNamespace",
        "PeerMatcher",
        "PodLabels",
        "PodMatcher",
        "PodPeer",
        "PortMatcher",
        "PortRangeMatcher",
    }
)
"""The closed matcher variants of `podfence.engine.match`: consumers may dispatch on the
compiled tree they are handed (to render or emit it); they may not compile it again."""

INTERNAL_MODULES = frozenset({"podfence.engine.selector_index", "podfence.engine.address_index"})
"""The bulk evaluators behind the resolver: nothing else may match selectors or addresses
with them."""

ALLOWED: dict[tuple[str, str], str] = {
    ("podfence.load.link", "matches"): (
        "a workload's own spec.selector against its pods' labels, to drop workloads whose "
        "pods are listed too (ownership, while loading); no NetworkPolicy is involved"
    ),
    ("podfence.load.cidrs", "interval-construction"): (
        "the API server's CIDR validation (host bits set, IPv4-mapped addresses, an `except` "
        "that is not a strict subset of its `cidr`): it judges the input, it never decides "
        "a connection"
    ),
}
"""(module, rule) -> why the finding is not a re-derivation of the policy semantics."""

_INTERVALS = {
    ("AddressSet", "of_block"),
    ("AddressSet", "of_network"),
    ("IntervalSet", "of"),
    ("IntervalSet", "single"),
}
_NETWORK_CALLS = {"ip_network", "IPv4Network", "IPv6Network"}
_NETWORK_RELATIONS = {"subnet_of", "supernet_of", "overlaps"}
_NETWORK_ARITHMETIC = {"network_address", "broadcast_address", "address_exclude"}


def _call_name(node: ast.Call) -> tuple[str | None, str]:
    """(`Owner`, `attr`) for `Owner.attr(...)` and `x.attr(...)` (owner None), (None, name)
    for `name(...)`."""
    func = node.func
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return owner, func.attr
    if isinstance(func, ast.Name):
        return None, func.id
    return None, ""


def _is_network(node: ast.expr) -> bool:
    if isinstance(node, ast.Call):
        return _call_name(node)[1] in _NETWORK_CALLS
    return isinstance(node, ast.Attribute) and node.attr in ("cidr", "excepts")


def _calls(module: Module) -> Iterator[tuple[str, int, str]]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            owner, name = _call_name(node)
            is_method = isinstance(node.func, ast.Attribute)
            if is_method and name == "matches":
                yield "matches", node.lineno, f"{owner or '...'}.matches()"
            elif is_method and name == "contains":
                yield "contains", node.lineno, f"{owner or '...'}.contains()"
            elif name == "numeric_range":
                yield "numeric-range", node.lineno, "numeric_range()"
            elif (owner, name) in _INTERVALS or (owner is None and name == "IntervalSet"):
                yield "interval-construction", node.lineno, f"{owner or ''}.{name}()".lstrip(".")
            elif is_method and name == "cuts":
                yield "interval-construction", node.lineno, ".cuts()"
            elif is_method and name in _NETWORK_RELATIONS:
                yield "network-membership", node.lineno, f".{name}()"
        elif isinstance(node, ast.Attribute) and node.attr in _NETWORK_ARITHMETIC:
            yield "interval-construction", node.lineno, f".{node.attr}"
        elif isinstance(node, ast.FunctionDef) and "merge_ranges" in node.name:
            yield "interval-construction", node.lineno, f"def {node.name}"
        elif isinstance(node, ast.Compare):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.In | ast.NotIn) and _is_network(right):
                    yield "network-membership", node.lineno, "`in` a network"


def _internals(module: Module) -> Iterator[tuple[str, int, str]]:
    for imp in module.imports():
        if not imp.module.startswith("podfence.engine"):
            continue
        if imp.module in INTERNAL_MODULES:
            yield "engine-internals", imp.line, f"imports {imp.module}"
        api = {"podfence.engine.resolve": RESOLVE_API, "podfence.engine.match": MATCH_VARIANTS}
        for name in imp.names:
            if name.startswith("_") or name not in api.get(imp.module, {name}):
                yield "engine-internals", imp.line, f"imports {imp.module}.{name}"


def findings(module: Module) -> Iterator[tuple[str, int, str]]:
    """(rule, line, what) for every way `module` evaluates the semantics itself."""
    yield from _calls(module)
    yield from _internals(module)


def _outside_core(module: Module) -> bool:
    return not any(module.name == c or module.name.startswith(c + ".") for c in CORE)


def test_no_semantics_outside_the_core() -> None:
    problems = [
        f"{m.where}:{line}: {rule}: {what}"
        for m in modules()
        if _outside_core(m)
        for rule, line, what in findings(m)
        if (m.name, rule) not in ALLOWED and rule not in PENDING_MIGRATION.get(m.name, ())
    ]
    assert not problems, "semantics evaluated outside podfence.engine:\n" + "\n".join(problems)


def test_allowed_entries_are_still_needed() -> None:
    by_name = {m.name: m for m in modules()}
    unused = [
        key
        for key in ALLOWED
        if key[0] not in by_name or key[1] not in {r for r, _, _ in findings(by_name[key[0]])}
    ]
    assert not unused, f"remove from ALLOWED: {unused}"


@pytest.mark.parametrize(
    "rule",
    [
        "matches",
        "contains",
        "numeric-range",
        "interval-construction",
        "network-membership",
        "engine-internals",
    ],
)
def test_pending_entries_are_still_there(rule: str) -> None:
    """PENDING_MIGRATION shrinks to empty: an entry whose module is fixed must go."""
    fixed = stale(rule, lambda m: any(r == rule for r, _, _ in findings(m)))
    assert not fixed, f"remove from PENDING_MIGRATION ({rule}): {fixed}"


# -- the checker itself -------------------------------------------------------------------

SAMPLES = {
    "selector.matches(dict(ep.labels))": "matches",
    "block.contains(ip)": "contains",
    "port.numeric_range()": "numeric-range",
    "AddressSet.of_block(block)": "interval-construction",
    "IntervalSet.of([(1, 2)])": "interval-construction",
    "IntervalSet(((1, 2),))": "interval-construction",
    "first = int(block.cidr.network_address)": "interval-construction",
    "def merge_ranges(ranges):\n    return ranges": "interval-construction",
    "ip in ipaddress.ip_network('10.0.0.0/8')": "network-membership",
    "ip not in block.cidr": "network-membership",
    "net.subnet_of(other)": "network-membership",
    "from podfence.engine.resolve import Resolver, _pod_selector": "engine-internals",
    "from podfence.engine.match import compile_peer": "engine-internals",
    "from podfence.engine import selector_index": "engine-internals",
    "def f():\n    from podfence.engine.address_index import AddressIndex": "engine-internals",
}


@pytest.mark.parametrize(("source", "rule"), list(SAMPLES.items()))
def test_the_checker_finds(source: str, rule: str) -> None:
    sample = Module("podfence.analysis.sample", modules()[0].path, ast.parse(source))
    assert [r for r, _, _ in findings(sample)] == [rule]


@pytest.mark.parametrize(
    "source",
    [
        "re.match(pattern, text)",
        "from podfence.engine.resolve import Resolver, named_numbers",
        "from podfence.engine.match import PodPeer, IPPeer",
        "from podfence.engine import Engine",
        "x in allowed_ports",
        "ipaddress.ip_network(text, strict=False)",
    ],
)
def test_the_checker_lets_pass(source: str) -> None:
    sample = Module("podfence.analysis.sample", modules()[0].path, ast.parse(source))
    assert list(findings(sample)) == []
