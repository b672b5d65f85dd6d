"""The Shell and Python (PyODPS) rules: MC15, and the SQL inside ``odpscmd -e`` and ``execute_sql``/``run_sql``."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from riskcheck.collect import Collector
from riskcheck.sqltext import Parameters, split_statements

RM_RECURSIVE = re.compile(
    r"(?:^|[\s;&|(`'\"]|\$\()(?:sudo\s+)?(?:/usr)?(?:/bin/)?rm\s+(?:-[^\s]*\s+)*?(?:-[A-Za-z]*[rR][A-Za-z]*|--recursive)"
    r"(?=\s|$)|\s-rm\s+(?:-\S+\s+)*?-[rR]\b|\s-rmr\b"
)
PIPE_TO_SHELL = re.compile(
    r"\b(?:curl|wget)\b[^|\n]*\|\s*(?:sudo\s+)?(?:ba|z|k|da)?sh\b"
    r"|\b(?:ba|z|k|da)?sh\s+(?:-c\s+)?[\"']?(?:<\(|\$\()\s*(?:curl|wget)\b"
)
DESTRUCTIVE_SQL = re.compile(r"\b(?:DROP|TRUNCATE)\b", re.IGNORECASE)
ODPSCMD = re.compile(r"\bodpscmd\b")
ODPSCMD_E = re.compile(r"\s-e\s*(?:\"((?:[^\"\\]|\\.)*)\"|'([^']*)')", re.DOTALL)
PYODPS_SQL = {"execute_sql", "run_sql", "execute_sql_interactive", "run_sql_interactive"}
PYODPS_SQL_LINE = re.compile(r"\b(?:execute_sql|run_sql)(?:_interactive)?\s*\(")
RMTREE_LINE = re.compile(r"\brmtree\s*\(")

# Analyses embedded SQL with the host script's collector: (sql, line offset in the host) -> statements seen.
SqlRunner = Callable[[str, int], int]


def _sql_is_destructive(sql: str) -> bool:
    """DROP or TRUNCATE outside comments and string literals of ``sql``."""
    params = Parameters()
    return any(DESTRUCTIVE_SQL.search(st.bare) for st in split_statements(params.substitute(sql)))


# ---- Shell ----------------------------------------------------------------------------------------------------------


def _strip_shell_comment(line: str) -> str:
    """``line`` without a ``#`` comment (a ``#`` at the start of a word, outside quotes)."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                continue
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def _logical_lines(code: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each command line, backslash continuations joined."""
    start = 0
    parts: list[str] = []
    for number, line in enumerate(code.split("\n"), start=1):
        if not parts:
            start = number
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        parts.append(line)
        yield start, "\n".join(parts) if len(parts) > 1 else parts[0]
        parts = []
    if parts:
        yield start, "\n".join(parts)


def analyse_shell(code: str, collector: Collector, analyse_sql: SqlRunner) -> int:
    """MC15 over a Shell node; returns the number of SQL statements it found in ``odpscmd -e``."""
    statements = 0
    for line, raw in _logical_lines(code):
        collector.check_time()
        text = "\n".join(_strip_shell_comment(part) for part in raw.split("\n"))
        if match := RM_RECURSIVE.search(text):
            collector.add("MC15", line + text.count("\n", 0, match.end()), "MC15.rm", command=text.strip())
        if match := PIPE_TO_SHELL.search(text):
            collector.add("MC15", line + text.count("\n", 0, match.end()), "MC15.pipe", command=text.strip())
        if ODPSCMD.search(text):
            found = False
            for match in ODPSCMD_E.finditer(text):
                found = True
                sql = match.group(1) if match.group(1) is not None else match.group(2)
                if _sql_is_destructive(sql):
                    collector.add("MC15", line, "MC15.sql", tool="odpscmd -e")
                statements += analyse_sql(sql, line - 1)
            if not found and DESTRUCTIVE_SQL.search(text):
                collector.add("MC15", line, "MC15.sql", tool="odpscmd")
    return statements


# ---- Python (PyODPS) ------------------------------------------------------------------------------------------------


def _literal(node: ast.AST) -> tuple[str, bool] | None:
    """(text, wholly literal) of a string expression: a constant, an f-string, ``"..." % x`` or ``"...".format()``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, True
    if isinstance(node, ast.JoinedStr):
        parts = [
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else " __rgf__ " for v in node.values
        ]
        return "".join(parts), False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        left = _literal(node.left)
        right = _literal(node.right)
        text = (left[0] if left else " ") + (right[0] if right and isinstance(node.op, ast.Add) else "")
        return (text, False) if left or right else None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and (inner := _literal(node.func.value))
    ):
        return inner[0], False
    return None


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def analyse_python(code: str, collector: Collector, analyse_sql: SqlRunner) -> int:
    """MC15 over a PyODPS node, and the SQL rules on literal SQL passed to ``execute_sql``/``run_sql``."""
    params = Parameters()
    try:
        tree = ast.parse(params.substitute(code))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        # Python 2 nodes (print statements) and fragments: fall back to line patterns (see docs/risk-rules.md).
        return _python_by_lines(code, collector)
    statements = 0
    for node in ast.walk(tree):
        collector.check_time()
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name == "rmtree":
                collector.add("MC15", node.lineno, "MC15.rm", command=ast.get_source_segment(code, node) or "rmtree()")
            elif name in PYODPS_SQL:
                argument = (
                    node.args[0]
                    if node.args
                    else next((k.value for k in node.keywords if k.arg in {"sql", "statement"}), None)
                )
                literal = _literal(argument) if argument is not None else None
                if literal is None or argument is None:
                    continue
                text, pure = literal
                text = params.restore(text)
                if _sql_is_destructive(text):
                    collector.add("MC15", node.lineno, "MC15.sql", tool=f"PyODPS {name}")
                if pure:
                    statements += analyse_sql(text, argument.lineno - 1)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            _shell_text(params.restore(node.value), node.lineno, collector)
        elif isinstance(node, ast.List | ast.Tuple):
            words = [e.value if isinstance(e, ast.Constant) and isinstance(e.value, str) else "x" for e in node.elts]
            if any(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
                _shell_text(" ".join(words), node.lineno, collector)
    return statements


def _shell_text(text: str, line: int, collector: Collector) -> None:
    """A Python string that is (or builds) a shell command: ``os.system("rm -rf ...")``, ``["rm", "-rf", d]``."""
    if RM_RECURSIVE.search(text):
        collector.add("MC15", line, "MC15.rm", command=text.strip())
    if PIPE_TO_SHELL.search(text):
        collector.add("MC15", line, "MC15.pipe", command=text.strip())


def _python_by_lines(code: str, collector: Collector) -> int:
    for number, line in enumerate(code.split("\n"), start=1):
        collector.check_time()
        text = line.split("#", 1)[0] if line.lstrip().startswith("#") else line
        if RMTREE_LINE.search(text):
            collector.add("MC15", number, "MC15.rm", command=text.strip())
        _shell_text(text, number, collector)
        if PYODPS_SQL_LINE.search(text) and DESTRUCTIVE_SQL.search(text):
            collector.add("MC15", number, "MC15.sql", tool="PyODPS")
    return 0
