"""The SQL rules (MC01-MC14, MC17, MC18) over one MaxCompute script.

Each statement is split out by sqlparse and parsed by sqlglot with the in-repo dialect. A statement sqlglot cannot
parse (or only as an opaque Command) is MC17, and the few destructive forms a regular expression recognises at its
start (DROP, TRUNCATE, ALTER TABLE) are still reported: fail closed, never silent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

from riskcheck.collect import Collector, shorten
from riskcheck.dialect import Lifecycle, MaxCompute, VarAssign
from riskcheck.messages import KIND_ZH
from riskcheck.sqltext import Parameters, Statement, split_statements

DATE = re.compile(
    r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
)
FULLSCAN = re.compile(r"\s*set\s+odps\.sql\.allow\.fullscan\s*=\s*['\"]?\s*true\b", re.IGNORECASE)
MAX_PT = re.compile(r"\bmax_pt\s*\(", re.IGNORECASE)
LEADING = re.compile(r"\s*([A-Za-z@]+)(?:\s+([A-Za-z]+))?")
# Client commands with no effect on data that the parser need not see.
HARMLESS = {"SHOW", "DESC", "DESCRIBE", "USE", "WHOAMI", "LIST"}
NAME = r"((?:`[^`\n]*`|[\w$.{}\[\]@-])+)"
DROP_FALLBACK = re.compile(
    r"\s*DROP\s+(MATERIALIZED\s+VIEW|TABLE|VIEW|SCHEMA)\s+(?:IF\s+EXISTS\s+)?" + NAME, re.IGNORECASE
)
TRUNCATE_FALLBACK = re.compile(r"\s*TRUNCATE\s+(?:TABLE\s+)?" + NAME, re.IGNORECASE)
ALTER_FALLBACK = re.compile(r"\s*ALTER\s+TABLE\s+" + NAME + r"(.*)", re.IGNORECASE | re.DOTALL)
ALTER_DROP_PARTITION = re.compile(r"\bDROP\s+(?:IF\s+EXISTS\s+)?PARTITION\b", re.IGNORECASE)
ALTER_DROP_COLUMNS = re.compile(r"\bDROP\s+COLUMNS?\b", re.IGNORECASE)
ALTER_CHANGE_TYPE = re.compile(
    r"\bCHANGE\s+(?:COLUMN\s+)?(\S+)\s+(?!RENAME\b|COMMENT\b)(\S+)\s+(?!COMMENT\b)(\w+)", re.I
)
ALTER_RENAME_TABLE = re.compile(r"\bRENAME\s+TO\s+(?!PARTITION\b)", re.IGNORECASE)
ALTER_RENAME_COLUMN = re.compile(r"\bCHANGE\s+(?:COLUMN\s+)?\S+\s+RENAME\b", re.IGNORECASE)
ALTER_LIFECYCLE = re.compile(r"\bSET\s+LIFECYCLE\s+(\d+)", re.IGNORECASE)
ALTER_KNOWN = re.compile(
    r"^\s*(?:PARTITION\s*\([^)]*\)\s*)?(?:SET\s+(?:LIFECYCLE|COMMENT|TBLPROPERTIES)|ENABLE\b|DISABLE\b|TOUCH\b|"
    r"MERGE\s+SMALLFILES|ADD\s+(?:IF\s+NOT\s+EXISTS\s+)?PARTITION|ADD\s+COLUMNS?|COMPACT\b|CLUSTERED\b|FREEZE\b|"
    r"RESTORE\b|ARCHIVE\b|RENAME\s+TO\s+PARTITION|CHANGE\s+(?:COLUMN\s+)?\S+\s+(?:RENAME|COMMENT)\b|OWNER\b)",
    re.IGNORECASE,
)
QUERY_TYPES = (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Subquery)
COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


@dataclass
class ScriptState:
    """What earlier statements of the script taught the later ones."""

    partitions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # from CREATE TABLE ... PARTITIONED BY
    lifecycles: dict[str, tuple[int | None, int]] = field(default_factory=dict)  # table -> (days, line)


@dataclass
class SqlResult:
    statements: int = 0
    parse_failures: int = 0
    lifecycles: dict[str, tuple[int | None, int]] = field(default_factory=dict)


class SqlAnalyser:
    """Runs the SQL rules over one script; ``line_offset`` places an embedded script (PyODPS, odpscmd -e)."""

    def __init__(self, collector: Collector, *, line_offset: int = 0) -> None:
        self.out = collector
        self.config = collector.config
        self.line_offset = line_offset
        self.params = Parameters()
        self.state = ScriptState()

    # ---- entry point -------------------------------------------------------------------------------------------

    def run(self, code: str) -> SqlResult:
        result = SqlResult()
        for statement in split_statements(self.params.substitute(code)):
            self.out.check_time()
            result.statements += 1
            if not self._statement(statement):
                result.parse_failures += 1
        result.lifecycles = self.state.lifecycles
        return result

    def _statement(self, st: Statement) -> bool:
        """Check one statement; False when it could not be parsed (MC17)."""
        for match in MAX_PT.finditer(st.bare):
            self.out.add("MC09", self._line(st.line_at(match.start())))
        leading = LEADING.match(st.bare)
        keyword = leading.group(1).upper() if leading else ""
        if keyword == "SET":
            if FULLSCAN.match(st.code):
                self.out.add("MC07", self._line(st.line))
            return True
        if keyword in HARMLESS:
            return True
        try:
            expressions = [e for e in sqlglot.parse(st.text, read=MaxCompute) if e is not None]
        except Exception as error:
            return self._unparsed(st, _first_line(str(error)))
        if not expressions:
            return self._unparsed(st, "empty statement")
        if any(isinstance(e, exp.Command) for e in expressions):
            return self._unparsed(st, "unsupported syntax")
        for expression in expressions:
            self._expression(expression, st)
        return True

    def _line(self, line: int) -> int:
        return line + self.line_offset

    def _node_line(self, node: exp.Expr | None, st: Statement) -> int:
        """The script line of ``node``: the first line any of its tokens is on (the statement's when unknown)."""
        best: int | None = None
        if node is not None:
            for child in node.walk():
                line = child.meta.get("line") if child._meta else None
                if isinstance(line, int) and (best is None or line < best):
                    best = line
        return self._line(st.first_line + best - 1 if best is not None else st.line)

    def _name(self, table: exp.Expr) -> tuple[str, str | None]:
        """(bare name, project or None) of a table reference, DataWorks parameters restored, lower case."""
        if isinstance(table, exp.Schema):
            table = table.this
        if not isinstance(table, exp.Table):
            return (self.params.restore(table.sql(dialect=MaxCompute)).strip("`").lower(), None)
        name = self.params.restore(table.name).lower()
        project = table.catalog or table.db
        return (name, self.params.restore(project).lower() if project else None)

    @staticmethod
    def _display(name: str, project: str | None) -> str:
        return f"{project}.{name}" if project else name

    # ---- statements sqlglot could not parse ---------------------------------------------------------------------

    def _unparsed(self, st: Statement, error: str) -> bool:
        bare = st.bare[st.bare.find(st.bare.lstrip()[:1]) :] if st.bare.strip() else st.bare
        line = self._line(st.line)
        if match := DROP_FALLBACK.match(bare):
            name, project = _split_name(self.params.restore(match.group(2)))
            kind = " ".join(match.group(1).upper().split())
            self._drop(kind, name, project, line)
            self._write("DROP", name, project, line)
        elif match := TRUNCATE_FALLBACK.match(bare):
            name, project = _split_name(self.params.restore(match.group(1)))
            self.out.add(
                "MC02",
                line,
                "MC02.scratch" if self.config.is_scratch(name) else "MC02",
                reduced=self.config.is_scratch(name),
                name=self._display(name, project),
            )
            self._write("TRUNCATE", name, project, line)
        elif match := ALTER_FALLBACK.match(bare):
            name, project = _split_name(self.params.restore(match.group(1)))
            rest = match.group(2)
            self._write("ALTER", name, project, line)
            if lifecycle := ALTER_LIFECYCLE.search(rest):
                self._lifecycle(name, int(lifecycle.group(1)), line)
            if self._alter_fallback(rest, self._display(name, project), line) or ALTER_KNOWN.match(rest):
                return True
        self.out.add("MC17", line, error=self.params.restore(error))
        return False

    def _alter_fallback(self, rest: str, display: str, line: int) -> bool:
        found = False
        if ALTER_DROP_PARTITION.search(rest):
            self.out.add("MC03", line, "MC03.drop_partition", name=display)
            found = True
        if ALTER_DROP_COLUMNS.search(rest):
            self.out.add("MC03", line, "MC03.drop_columns", name=display)
            found = True
        if (change := ALTER_CHANGE_TYPE.search(rest)) and not ALTER_RENAME_COLUMN.search(rest):
            self.out.add("MC03", line, "MC03.change_type", name=display, column=change.group(1).strip("`"))
            found = True
        if ALTER_RENAME_TABLE.search(rest) and not ALTER_RENAME_COLUMN.search(rest):
            self.out.add("MC03", line, "MC03.rename", name=display)
            found = True
        return found

    # ---- parsed statements --------------------------------------------------------------------------------------

    def _expression(self, root: exp.Expr, st: Statement) -> None:
        if isinstance(root, VarAssign):
            root = root.expression
        ctes = {cte.alias_or_name.lower() for cte in root.find_all(exp.CTE)}
        for node in root.walk():
            if isinstance(node, exp.Insert):
                self._insert(node, st)
            elif isinstance(node, exp.Create):
                self._create(node, st)
            elif isinstance(node, exp.Drop):
                self._drop_node(node, st)
            elif isinstance(node, exp.Alter):
                self._alter(node, st)
            elif isinstance(node, exp.TruncateTable):
                for table in node.expressions:
                    name, project = self._name(table)
                    line = self._node_line(table, st)
                    scratch = self.config.is_scratch(name)
                    self.out.add(
                        "MC02",
                        line,
                        "MC02.scratch" if scratch else "MC02",
                        reduced=scratch,
                        name=self._display(name, project),
                    )
                    self._write("TRUNCATE", name, project, line)
            elif isinstance(node, exp.Delete | exp.Update):
                self._delete_update(node, st)
            elif isinstance(node, exp.Select):
                self._select(node, st, ctes)
            elif isinstance(node, exp.MultitableInserts):
                self._multi_insert(node, st, ctes)
        self._dates(root, st)

    def _write(self, verb: str, name: str, project: str | None, line: int, *, cross_project: bool = True) -> None:
        """MC11 (another project) and MC18 (a protected table) for a write or DDL on ``project.name``."""
        display = self._display(name, project)
        if (
            cross_project
            and project
            and self.config.projects
            and "${" not in project
            and project not in self.config.projects
        ):
            self.out.add("MC11", line, verb=verb, name=name, project=project)
        if self.config.protected_patterns and self.config.is_protected(name, project):
            self.out.add("MC18", line, verb=verb, name=display)

    def _drop(self, kind: str, name: str, project: str | None, line: int) -> None:
        scratch = self.config.is_scratch(name)
        self.out.add(
            "MC01",
            line,
            "MC01.scratch" if scratch else "MC01",
            reduced=scratch,
            kind=kind,
            kind_zh=KIND_ZH.get(kind, kind),
            name=self._display(name, project),
        )

    def _drop_node(self, node: exp.Drop, st: Statement) -> None:
        kind = str(node.args.get("kind") or "").upper()
        if kind not in {"TABLE", "VIEW", "SCHEMA"}:
            return
        if kind == "VIEW" and node.args.get("materialized"):
            kind = "MATERIALIZED VIEW"
        for table in node.args.get("tables") or ([node.this] if node.this is not None else []):
            if kind == "SCHEMA" and isinstance(table, exp.Table) and not table.name:
                name, project = self.params.restore(table.db).lower(), (table.catalog or None)
            else:
                name, project = self._name(table)
            line = self._node_line(table, st)
            self._drop(kind, name, project, line)
            self._write("DROP", name, project, line)

    def _insert(self, node: exp.Insert, st: Statement) -> None:
        target = node.this
        table = target.this if isinstance(target, exp.Schema) else target
        if not isinstance(table, exp.Table):
            return
        name, project = self._name(table)
        line = self._node_line(table, st)
        display = self._display(name, project)
        self._write("INSERT", name, project, line)
        if node.args.get("overwrite"):
            partition = table.args.get("partition") or node.args.get("partition")
            if not isinstance(partition, exp.Partition):
                self.out.add("MC04", line, name=display)
            else:
                dynamic = [p.name for p in partition.expressions if isinstance(p, exp.Column)]
                if dynamic:
                    self.out.add("MC05", line, name=display, columns=", ".join(dynamic))
        if any(_has_star(select) for select in _branches(node.expression)):
            self.out.add("MC14", line, name=display)

    def _create(self, node: exp.Create, st: Statement) -> None:
        kind = str(node.args.get("kind") or "").upper()
        target = node.this
        table = target.this if isinstance(target, exp.Schema) else target
        if kind not in {"TABLE", "VIEW"} or not isinstance(table, exp.Table):
            return
        name, project = self._name(table)
        line = self._node_line(table, st)
        ctas = isinstance(node.expression, QUERY_TYPES)
        self._write("CREATE TABLE AS" if ctas else "CREATE", name, project, line, cross_project=ctas)
        if kind != "TABLE":
            return
        properties = node.args.get("properties")
        days: int | None = None
        days_line = line
        columns: list[str] = []
        if properties is not None:
            for prop in properties.expressions:
                if isinstance(prop, Lifecycle):
                    days, days_line = _int(prop.this), self._node_line(prop, st)
                elif isinstance(prop, exp.PartitionedByProperty) and isinstance(prop.this, exp.Schema):
                    columns = [c.name.lower() for c in prop.this.expressions if isinstance(c, exp.ColumnDef)]
        if columns:
            self.state.partitions[name] = tuple(columns)
            if project:
                self.state.partitions[f"{project}.{name}"] = tuple(columns)
        self._lifecycle(name, days, days_line)

    def _lifecycle(self, name: str, days: int | None, line: int) -> None:
        self.state.lifecycles[name] = (days, line)

    def _alter(self, node: exp.Alter, st: Statement) -> None:
        if str(node.args.get("kind") or "").upper() != "TABLE" or not isinstance(node.this, exp.Table):
            return
        name, project = self._name(node.this)
        line = self._node_line(node.this, st)
        display = self._display(name, project)
        self._write("ALTER", name, project, line)
        for action in node.args.get("actions") or []:
            if isinstance(action, exp.DropPartition):
                self.out.add("MC03", line, "MC03.drop_partition", name=display)
            elif isinstance(action, exp.Drop) and str(action.args.get("kind") or "").upper() in {"COLUMN", "COLUMNS"}:
                self.out.add("MC03", line, "MC03.drop_columns", name=display)
            elif isinstance(action, exp.AlterColumn) and action.args.get("dtype") is not None:
                self.out.add("MC03", line, "MC03.change_type", name=display, column=action.name)
            elif isinstance(action, exp.AlterRename):
                self.out.add("MC03", line, "MC03.rename", name=display)
            elif isinstance(action, exp.AlterSet):
                for lifecycle in action.find_all(Lifecycle):
                    self._lifecycle(name, _int(lifecycle.this), self._node_line(lifecycle, st))

    def _delete_update(self, node: exp.Delete | exp.Update, st: Statement) -> None:
        verb = "DELETE" if isinstance(node, exp.Delete) else "UPDATE"
        table = node.this
        if not isinstance(table, exp.Table):
            return
        name, project = self._name(table)
        line = self._node_line(table, st)
        self._write(verb, name, project, line)
        where = node.args.get("where")
        if where is None:
            self.out.add("MC06", line, "MC06.no_where", verb=verb, name=self._display(name, project))
        elif _constant_true(where.this):
            self.out.add("MC06", line, "MC06.true_where", verb=verb, name=self._display(name, project))

    # ---- reads: MC08, MC12 --------------------------------------------------------------------------------------

    def _partition_columns(self, name: str, project: str | None) -> tuple[str, ...] | None:
        if project and (found := self.state.partitions.get(f"{project}.{name}")) is not None:
            return found
        if (found := self.state.partitions.get(name)) is not None:
            return found
        return self.config.known_partition_columns(name, project)

    def _check_read(self, table: exp.Table, conditions: list[exp.Expr], st: Statement, ctes: set[str]) -> None:
        name, project = self._name(table)
        if not project and name in ctes:
            return
        columns = self._partition_columns(name, project)
        if not columns:
            return
        aliases = {name, table.alias_or_name.lower()}
        for condition in conditions:
            for column in condition.find_all(exp.Column):
                if column.name.lower() in columns and (not column.table or column.table.lower() in aliases):
                    return
        self.out.add("MC08", self._node_line(table, st), name=self._display(name, project), columns=", ".join(columns))

    def _select(self, select: exp.Select, st: Statement, ctes: set[str]) -> None:
        where = select.args.get("where")
        joins = select.args.get("joins") or []
        conditions = [where.this] if where is not None else []
        conditions += [join.args["on"] for join in joins if join.args.get("on") is not None]
        source = select.args.get("from_")
        tables = [source.this] if source is not None else []
        tables += [join.this for join in joins]
        for table in tables:
            if isinstance(table, exp.Table):
                self._check_read(table, conditions, st, ctes)
        for join in joins:
            label = join.this.alias_or_name if isinstance(join.this, exp.Expr) else "?"
            line = self._node_line(join.this, st)
            kind = str(join.args.get("kind") or "").upper()
            if join.meta.get("comma"):
                if where is None:
                    self.out.add("MC12", line, "MC12.comma", name=self.params.restore(label or "subquery"))
            elif kind == "CROSS":
                self.out.add("MC12", line, "MC12.cross", name=self.params.restore(label or "subquery"))
            elif join.args.get("using") is None and (join.args.get("on") is None or _constant_true(join.args["on"])):
                self.out.add("MC12", line, "MC12.true_on", name=self.params.restore(label or "subquery"))

    def _multi_insert(self, node: exp.MultitableInserts, st: Statement, ctes: set[str]) -> None:
        source = node.args.get("source")
        if not isinstance(source, exp.Table):
            return
        for insert in node.expressions:
            query = insert.expression if isinstance(insert, exp.Insert) else None
            where = query.args.get("where") if isinstance(query, exp.Select) else None
            self._check_read(source, [where.this] if where is not None else [], st, ctes)

    # ---- MC10 ---------------------------------------------------------------------------------------------------

    def _partition_names(self) -> set[str]:
        names = set(self.config.conventional_partition_columns)
        for columns in self.config.partition_columns.values():
            names.update(columns)
        for columns in self.state.partitions.values():
            names.update(columns)
        return names

    def _dates(self, root: exp.Expr, st: Statement) -> None:
        names = self._partition_names()
        for node in root.walk():
            if isinstance(node, exp.Partition) or (
                isinstance(node, exp.Anonymous) and str(node.this).upper() == "PARTITION"
            ):
                for eq in node.find_all(exp.EQ):
                    self._date_compare(eq.this, [eq.expression], st, None)
            elif isinstance(node, COMPARISONS):
                self._date_compare(node.this, [node.expression], st, names)
                self._date_compare(node.expression, [node.this], st, names)
            elif isinstance(node, exp.Between):
                self._date_compare(node.this, [node.args.get("low"), node.args.get("high")], st, names)
            elif isinstance(node, exp.In):
                self._date_compare(node.this, list(node.expressions), st, names)

    def _date_compare(
        self,
        column: exp.Expr | None,
        values: Iterable[exp.Expr | None],
        st: Statement,
        names: set[str] | None,
    ) -> None:
        if not isinstance(column, exp.Column) or (names is not None and column.name.lower() not in names):
            return
        for value in values:
            if isinstance(value, exp.Literal) and DATE.fullmatch(str(value.this)):
                self.out.add("MC10", self._node_line(value, st), column=column.name, value=str(value.this))


def _split_name(text: str) -> tuple[str, str | None]:
    parts = [part.strip("`") for part in text.split(".")]
    return (parts[-1].lower(), parts[0].lower() if len(parts) > 1 else None)


def _first_line(text: str) -> str:
    # sqlglot's messages carry ANSI underline codes and the statement; the first line says what went wrong.
    clean = re.sub(r"\x1b\[[0-9;]*m", "", text)
    clean = re.sub(r"\s*Line \d+, Col: \d+\.?", "", clean)  # positions inside the statement, not the script
    return shorten(clean.split("\n", 1)[0], 160)


def _int(node: exp.Expr | None) -> int | None:
    try:
        return int(str(node.this)) if isinstance(node, exp.Literal) else None
    except ValueError:
        return None


def _branches(query: exp.Expr | None) -> Iterator[exp.Select]:
    """The SELECTs whose columns an INSERT writes: each branch of a UNION, through parentheses."""
    if isinstance(query, exp.Select):
        yield query
    elif isinstance(query, exp.Subquery):
        yield from _branches(query.this)
    elif isinstance(query, exp.Union | exp.Intersect | exp.Except):
        yield from _branches(query.left)
        yield from _branches(query.right)


def _has_star(select: exp.Select) -> bool:
    return any(
        isinstance(item, exp.Star) or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star))
        for item in select.expressions
    )


def _constant_true(node: exp.Expr | None) -> bool:
    """True for conditions that hold for every row: TRUE, 1, 1=1, '1'='1', and AND/OR/parentheses of those."""
    if isinstance(node, exp.Paren):
        return _constant_true(node.this)
    if isinstance(node, exp.Boolean):
        return node.this is True
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return float(str(node.this)) != 0
        except ValueError:
            return False
    if isinstance(node, exp.EQ):
        left, right = node.this, node.expression
        return (
            isinstance(left, exp.Literal)
            and isinstance(right, exp.Literal)
            and left.is_string == right.is_string
            and str(left.this) == str(right.this)
        )
    if isinstance(node, exp.Or):
        return _constant_true(node.this) or _constant_true(node.expression)
    if isinstance(node, exp.And):
        return _constant_true(node.this) and _constant_true(node.expression)
    return False


def lifecycles(code: str, collector: Collector) -> dict[str, tuple[int | None, int]]:
    """The LIFECYCLE each table of ``code`` ends with (for MC13's comparison); findings go nowhere."""
    analyser = SqlAnalyser(collector)
    return analyser.run(code).lifecycles
