"""Every rule's default severity, title, messages and "why this matters", in English and Simplified Chinese.

A pure package cannot use gettext, so the two languages live here side by side. Message templates take named
``{placeholders}`` (str.format); the values are names from the analysed code, already shortened and masked.
Chinese text uses Chinese (full-width) punctuation on purpose.
"""

# ruff: noqa: RUF001

from __future__ import annotations

from riskcheck.model import Severity

LANGUAGES = ("en", "zh-hans")

RULES = tuple(f"MC{n:02d}" for n in range(1, 19))

DEFAULT_SEVERITY: dict[str, Severity] = {
    "MC01": Severity.CRITICAL,
    "MC02": Severity.CRITICAL,
    "MC03": Severity.HIGH,
    "MC04": Severity.MEDIUM,
    "MC05": Severity.MEDIUM,
    "MC06": Severity.HIGH,
    "MC07": Severity.HIGH,
    "MC08": Severity.MEDIUM,
    "MC09": Severity.MEDIUM,
    "MC10": Severity.MEDIUM,
    "MC11": Severity.HIGH,
    "MC12": Severity.MEDIUM,
    "MC13": Severity.MEDIUM,
    "MC14": Severity.LOW,
    "MC15": Severity.HIGH,
    "MC16": Severity.CRITICAL,
    "MC17": Severity.MEDIUM,
    "MC18": Severity.CRITICAL,
}

TITLES: dict[str, dict[str, str]] = {
    "MC01": {"en": "DROP of a table, view or schema", "zh-hans": "删除表、视图或 Schema"},
    "MC02": {"en": "TRUNCATE TABLE", "zh-hans": "清空表（TRUNCATE）"},
    "MC03": {"en": "Destructive ALTER TABLE", "zh-hans": "破坏性的 ALTER TABLE"},
    "MC04": {"en": "INSERT OVERWRITE of a whole table", "zh-hans": "覆盖写入整张表"},
    "MC05": {"en": "INSERT OVERWRITE into a dynamic partition", "zh-hans": "覆盖写入动态分区"},
    "MC06": {"en": "DELETE or UPDATE of every row", "zh-hans": "删除或更新全部行"},
    "MC07": {"en": "Full table scans allowed", "zh-hans": "允许全表扫描"},
    "MC08": {"en": "Partitioned table read without a partition filter", "zh-hans": "读取分区表未过滤分区"},
    "MC09": {"en": "max_pt()", "zh-hans": "使用 max_pt()"},
    "MC10": {"en": "Hard-coded partition date", "zh-hans": "分区日期写死"},
    "MC11": {"en": "Write to another project", "zh-hans": "跨项目写入"},
    "MC12": {"en": "Cartesian join", "zh-hans": "笛卡尔积关联"},
    "MC13": {"en": "LIFECYCLE shortened or removed", "zh-hans": "生命周期缩短或被移除"},
    "MC14": {"en": "INSERT … SELECT *", "zh-hans": "INSERT … SELECT *"},
    "MC15": {"en": "Destructive shell or Python command", "zh-hans": "破坏性的 Shell 或 Python 命令"},
    "MC16": {"en": "AccessKey in the code", "zh-hans": "代码中包含 AccessKey"},
    "MC17": {"en": "Statement that cannot be parsed", "zh-hans": "无法解析的语句"},
    "MC18": {"en": "Write to a protected table", "zh-hans": "写入受保护的表"},
}

# Keyed by rule id, or "rule.variant" when one rule says different things.
MESSAGES: dict[str, dict[str, str]] = {
    "MC01": {"en": "DROP {kind} {name}.", "zh-hans": "删除{kind_zh} {name}。"},
    "MC01.scratch": {
        "en": "DROP {kind} {name} (a scratch name).",
        "zh-hans": "删除{kind_zh} {name}（临时表名）。",
    },
    "MC02": {"en": "TRUNCATE TABLE {name} removes every row.", "zh-hans": "TRUNCATE TABLE {name} 会清空全部数据。"},
    "MC02.scratch": {
        "en": "TRUNCATE TABLE {name} (a scratch name).",
        "zh-hans": "TRUNCATE TABLE {name}（临时表名）。",
    },
    "MC03.drop_partition": {"en": "ALTER TABLE {name} drops a partition.", "zh-hans": "ALTER TABLE {name} 删除分区。"},
    "MC03.drop_columns": {"en": "ALTER TABLE {name} drops columns.", "zh-hans": "ALTER TABLE {name} 删除列。"},
    "MC03.change_type": {
        "en": "ALTER TABLE {name} changes the type of column {column}.",
        "zh-hans": "ALTER TABLE {name} 修改了列 {column} 的类型。",
    },
    "MC03.rename": {"en": "ALTER TABLE {name} renames the table.", "zh-hans": "ALTER TABLE {name} 重命名了表。"},
    "MC04": {
        "en": "INSERT OVERWRITE into {name} with no PARTITION clause replaces the whole table.",
        "zh-hans": "INSERT OVERWRITE 写入 {name} 时没有 PARTITION 子句，会替换整张表。",
    },
    "MC05": {
        "en": "INSERT OVERWRITE into {name} writes a dynamic partition ({columns}).",
        "zh-hans": "INSERT OVERWRITE 写入 {name} 的动态分区（{columns}）。",
    },
    "MC06.no_where": {
        "en": "{verb} on {name} has no WHERE: every row is affected.",
        "zh-hans": "{verb} {name} 没有 WHERE 条件：影响全部行。",
    },
    "MC06.true_where": {
        "en": "{verb} on {name} has a WHERE that is always true: every row is affected.",
        "zh-hans": "{verb} {name} 的 WHERE 条件恒为真：影响全部行。",
    },
    "MC07": {
        "en": "set odps.sql.allow.fullscan=true lets queries scan every partition.",
        "zh-hans": "set odps.sql.allow.fullscan=true 允许查询扫描全部分区。",
    },
    "MC08": {
        "en": "{name} is read with no filter on its partition columns ({columns}).",
        "zh-hans": "读取 {name} 时没有过滤分区列（{columns}）。",
    },
    "MC09": {
        "en": "max_pt() reads whichever partition is newest when the job runs.",
        "zh-hans": "max_pt() 读取的是运行时最新的分区。",
    },
    "MC10": {
        "en": "Hard-coded date {value} for partition column {column}; use a scheduling parameter such as ${{bizdate}}.",
        "zh-hans": "分区列 {column} 写死了日期 {value}，请使用调度参数（如 ${{bizdate}}）。",
    },
    "MC11": {
        "en": "{verb} writes to {name} in project {project}, not this workspace's.",
        "zh-hans": "{verb} 写入项目 {project} 的 {name}，不是本工作空间的项目。",
    },
    "MC12.cross": {"en": "CROSS JOIN with {name}.", "zh-hans": "与 {name} 做 CROSS JOIN。"},
    "MC12.true_on": {
        "en": "JOIN with {name} on a condition that is always true (or none).",
        "zh-hans": "与 {name} 的 JOIN 条件恒为真（或没有条件）。",
    },
    "MC12.comma": {
        "en": "{name} is joined with a comma and there is no WHERE.",
        "zh-hans": "{name} 以逗号关联且没有 WHERE 条件。",
    },
    "MC13.shortened": {
        "en": "LIFECYCLE of {name} shortened from {old} to {new} days.",
        "zh-hans": "{name} 的生命周期从 {old} 天缩短为 {new} 天。",
    },
    "MC13.removed": {
        "en": "LIFECYCLE of {name} removed (it was {old} days).",
        "zh-hans": "{name} 的生命周期被移除（原为 {old} 天）。",
    },
    "MC14": {
        "en": "INSERT into {name} uses SELECT *: a column added upstream shifts or breaks it.",
        "zh-hans": "写入 {name} 时使用 SELECT *：上游新增列会导致错位或失败。",
    },
    "MC15.rm": {"en": "Recursive delete: {command}", "zh-hans": "递归删除：{command}"},
    "MC15.pipe": {
        "en": "A download piped into a shell: {command}",
        "zh-hans": "下载内容直接交给 Shell 执行：{command}",
    },
    "MC15.sql": {
        "en": "A destructive statement (DROP or TRUNCATE) run through {tool}.",
        "zh-hans": "通过 {tool} 执行破坏性语句（DROP 或 TRUNCATE）。",
    },
    "MC16": {"en": "AccessKey ID {access_key} in the code.", "zh-hans": "代码中包含 AccessKey ID {access_key}。"},
    "MC17": {
        "en": "This statement cannot be parsed, so no rule could check it: {error}",
        "zh-hans": "无法解析此语句，规则无法检查它：{error}",
    },
    "MC18": {
        "en": "{verb} on protected table {name}.",
        "zh-hans": "{verb} 受保护的表 {name}。",
    },
}

WHY: dict[str, dict[str, str]] = {
    "MC01": {
        "en": "A dropped table loses its data and every downstream node that reads it fails.",
        "zh-hans": "表被删除后数据丢失，读取它的下游节点都会失败。",
    },
    "MC02": {
        "en": "The table's data is gone until someone backfills it.",
        "zh-hans": "表中的数据在补数据之前都不存在。",
    },
    "MC03": {
        "en": "Dropped partitions or columns lose data; type changes and renames break readers.",
        "zh-hans": "删除分区或列会丢失数据；修改类型或重命名会导致读取方出错。",
    },
    "MC04": {
        "en": "Every partition is replaced by this run's result, including history.",
        "zh-hans": "本次结果会替换所有分区，包括历史数据。",
    },
    "MC05": {
        "en": "Which partitions are overwritten depends on the data, not on the code.",
        "zh-hans": "被覆盖的分区取决于数据而不是代码。",
    },
    "MC06": {
        "en": "The statement changes every row of the table.",
        "zh-hans": "该语句会修改表中的每一行。",
    },
    "MC07": {
        "en": "Full scans of large partitioned tables cost money and time.",
        "zh-hans": "对大分区表的全表扫描耗费费用和时间。",
    },
    "MC08": {
        "en": "Without partition pruning the query reads every partition.",
        "zh-hans": "没有分区裁剪，查询会读取所有分区。",
    },
    "MC09": {
        "en": "The result depends on when the job runs; a late upstream partition is silently skipped.",
        "zh-hans": "结果取决于运行时间；上游分区延迟时会被悄悄跳过。",
    },
    "MC10": {
        "en": "A fixed date reads or writes the same partition every day; reruns and backfills go wrong.",
        "zh-hans": "固定日期每天读写同一分区；重跑和补数据都会出错。",
    },
    "MC11": {
        "en": "Another project's tables are owned by another team and not reviewed here.",
        "zh-hans": "其他项目的表由其他团队负责，不在这里审批。",
    },
    "MC12": {
        "en": "A cartesian product multiplies the row counts and can run for hours.",
        "zh-hans": "笛卡尔积会使行数成倍增长，可能运行数小时。",
    },
    "MC13": {
        "en": "Data older than the new lifecycle is deleted automatically.",
        "zh-hans": "超过新生命周期的数据会被自动删除。",
    },
    "MC14": {
        "en": "The columns written depend on the source table, not on this code.",
        "zh-hans": "写入的列取决于源表，而不是这段代码。",
    },
    "MC15": {
        "en": "The command deletes data or runs code from elsewhere on the scheduling resource.",
        "zh-hans": "该命令会删除数据，或在调度资源上运行外部代码。",
    },
    "MC16": {
        "en": "Anyone who can read the code can use the key; rotate it and use a data source instead.",
        "zh-hans": "能看到代码的人都能使用该密钥；请轮换密钥并改用数据源。",
    },
    "MC17": {
        "en": "A statement the analyser cannot read may hide any of the other problems.",
        "zh-hans": "分析器读不懂的语句可能隐藏其他任何问题。",
    },
    "MC18": {
        "en": "This workspace marks the table as protected.",
        "zh-hans": "本工作空间将该表标记为受保护。",
    },
}

# Why a change is NOT_ASSESSED.
REASONS: dict[str, dict[str, str]] = {
    "language": {
        "en": "The analyser does not read this kind of file.",
        "zh-hans": "分析器不支持这种文件类型。",
    },
    "too_large": {
        "en": "The code is larger than the analyser's limit ({limit} characters).",
        "zh-hans": "代码超过了分析器的上限（{limit} 个字符）。",
    },
    "too_many_lines": {
        "en": "The code has more lines than the analyser's limit ({limit}).",
        "zh-hans": "代码行数超过了分析器的上限（{limit} 行）。",
    },
    "time_limit": {
        "en": "The analysis took longer than its limit ({limit} s).",
        "zh-hans": "分析时间超过了上限（{limit} 秒）。",
    },
    "internal": {
        "en": "The analysis failed: {error}",
        "zh-hans": "分析失败：{error}",
    },
}

KIND_ZH = {"TABLE": "表", "VIEW": "视图", "MATERIALIZED VIEW": "物化视图", "SCHEMA": " Schema"}
VERB_ZH = {"DELETE": "DELETE", "UPDATE": "UPDATE"}


def render(key: str, table: dict[str, dict[str, str]], **params: object) -> dict[str, str]:
    """Both languages of ``table[key]`` with ``params`` filled in."""
    templates = table[key]
    return {language: templates[language].format(**params) for language in LANGUAGES}
