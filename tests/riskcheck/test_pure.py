"""The analyser is a pure package: it imports no Django and no project app, so the command and CI can run it
anywhere and the worker's preparation can call it without side effects."""

from __future__ import annotations

import ast
from pathlib import Path

import riskcheck

FORBIDDEN = ("django", "approvals", "events", "dataworks_client", "config", "workspaces", "notifications", "accounts")


def test_no_module_of_the_package_imports_django_or_an_app():
    offenders = []
    for path in Path(riskcheck.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in FORBIDDEN]
    assert offenders == []
