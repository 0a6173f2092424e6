"""Third-party libraries stay at their edge (STYLE lesson 7): only `kube` imports
`kubernetes`; only `render` and `cli` import `rich` and `click`."""

from __future__ import annotations

import ast

from .walk import modules, top_package

EDGES = {
    "kubernetes": {"kube"},
    "click": {"cli"},
    "rich": {"render", "cli"},
}


def test_third_party_libraries_stay_at_their_edge() -> None:
    problems = []
    for m in modules():
        for node in ast.walk(m.tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                allowed = EDGES.get(name.split(".")[0])
                if allowed is not None and top_package(m.name) not in allowed:
                    problems.append(f"{m.where}:{node.lineno}: imports {name}")
    assert not problems, "\n".join(problems)
