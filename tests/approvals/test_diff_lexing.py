"""The accelerated lexer gives the same tokens as plain Pygments, line by line."""

from __future__ import annotations

from typing import Any

import pytest
from pygments.lexers.python import Python2Lexer, PythonLexer
from pygments.lexers.shell import BashLexer
from pygments.lexers.sql import SqlLexer

from approvals.diff.fastlex import lex_lines
from approvals.diff.highlight import highlight_lines

SQL = """\
-- ODPS SQL node: daily orders
/* multi-line
   comment with 'quotes' and "double" */
INSERT OVERWRITE TABLE ads_orders PARTITION (ds = '${bizdate}')
SELECT  o.user_id,
        SUM(o.amount) AS total,   -- trailing comment
        COUNT(DISTINCT o.sku)  AS skus,
        'multi
line string' AS s
FROM    ods_orders o

WHERE   o.ds = '${bizdate}' AND o.amount > 1.5e3
GROUP BY o.user_id;
"""

PYTHON = '''\
#!/usr/bin/env python
"""Module docstring
spanning lines."""
from odps import ODPS


def run(o: ODPS, ds: str) -> int:
    query = f"""
    SELECT * FROM t WHERE ds = '{ds}'
    """
    with o.execute_sql(query).open_reader() as reader:  # comment
        return sum(1 for _ in reader)


class Job(Base):
    value = 0x1F + 1_000 if True else None
    match value:
        case 1:
            pass
'''

BASH = """\
#!/bin/bash
set -euo pipefail
DS=${bizdate:-$(date +%Y%m%d)}
cat <<EOF > /tmp/job.sql
SELECT 1; -- $DS
EOF
for f in "$@"; do
  echo "processing ${f}" | tee -a log.txt   # comment
done
if [[ -z "$DS" ]]; then exit 1; fi
#!/not/a/shebang/here
"""

SHEBANG_TWICE = "#!/bin/sh\necho 1\n#!/bin/sh\n"


def reference(lexer: Any, lines: list[str]) -> list[list[tuple[Any, str]]]:
    """Tokenise with plain Pygments and split at newlines, merging same-type neighbours."""
    text = "\n".join(lines) + "\n"
    result: list[list[tuple[Any, str]]] = [[]]
    for _, ttype, value in lexer.get_tokens_unprocessed(text):
        for k, part in enumerate(value.split("\n")):
            if k:
                result.append([])
            if part:
                result[-1].append((ttype, part))
    result.pop()
    return [merge(tokens) for tokens in result]


def merge(tokens: list[tuple[Any, str]]) -> list[tuple[Any, str]]:
    merged: list[tuple[Any, str]] = []
    for ttype, value in tokens:
        if merged and merged[-1][0] is ttype:
            merged[-1] = (ttype, merged[-1][1] + value)
        elif value:
            merged.append((ttype, value))
    return merged


@pytest.mark.parametrize(
    ("lexer_class", "text"),
    [
        (SqlLexer, SQL),
        (SqlLexer, SQL * 3 + "<script>alert(1)</script>\n\x00\u202e\n"),
        (PythonLexer, PYTHON),
        (PythonLexer, PYTHON * 2),
        (Python2Lexer, PYTHON),
        (BashLexer, BASH),
        (BashLexer, BASH * 2 + SHEBANG_TWICE),
        (BashLexer, SHEBANG_TWICE),
    ],
)
def test_same_tokens_as_pygments(lexer_class: Any, text: str) -> None:
    lexer = lexer_class()
    lines = text.split("\n")[:-1]
    fast = [merge(tokens) for tokens in lex_lines(lexer, lines, list, {})]
    assert fast == reference(lexer, lines)


def test_memo_shared_between_sides_keeps_results_identical() -> None:
    lexer = SqlLexer()
    old = SQL.split("\n")[:-1]
    new = [line.replace("total", "grand_total") for line in old]
    memo: dict[Any, Any] = {}
    first = lex_lines(lexer, old, tuple, memo)
    second = lex_lines(lexer, new, tuple, memo)
    assert [merge(list(tokens)) for tokens in second] == reference(lexer, new)
    assert [merge(list(tokens)) for tokens in first] == reference(lexer, old)
    # Unchanged lines lexed in the same state are the very same objects.
    assert first[0] is second[0]


def test_highlight_lines_keeps_text_and_classes() -> None:
    lines = ["SELECT 'a<b' FROM t; -- x", "", "\tWHERE x = 1"]
    frags = highlight_lines(SqlLexer(), lines, {})
    assert ["".join(text for _, text in line) for line in frags] == lines
    assert frags[0][0] == ("k", "SELECT")
    assert frags[1] == ()
    plain = highlight_lines(None, lines, {})
    assert plain == [(("", lines[0]),), (), (("", lines[2]),)]


def test_empty_input() -> None:
    assert lex_lines(SqlLexer(), [], list, {}) == []
    assert lex_lines(SqlLexer(), [""], list, {}) == [[]]
