"""Choose a Pygments lexer from a DataWorks FileType code or a file name."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pygments.lexer import Lexer
from pygments.lexers.python import Python2Lexer, PythonLexer
from pygments.lexers.shell import BashLexer
from pygments.lexers.sql import SqlLexer

# Only regex lexers whose cost is linear and known: the diff page must stay fast on 50,000-line nodes.
_LEXERS: dict[str, type[Lexer]] = {
    "sql": SqlLexer,
    "python": PythonLexer,
    "python2": Python2Lexer,
    "bash": BashLexer,
}

# DataWorks FileType codes (node types) to a language key of _LEXERS; anything else is plain text.
# ODPS MR (11), ODPS Spark (225) and EMR Spark (228) hold job settings rather than source code.
FILE_TYPE_LANGUAGES: dict[int, str] = {
    6: "bash",  # Shell
    10: "sql",  # ODPS SQL
    11: "text",  # ODPS MR
    24: "sql",  # ODPS Script
    221: "python2",  # PyODPS 2
    225: "text",  # ODPS Spark
    227: "sql",  # EMR Hive
    228: "text",  # EMR Spark
    229: "sql",  # EMR Spark SQL
    257: "bash",  # EMR Shell
    258: "bash",  # EMR Spark Shell
    259: "sql",  # EMR Presto
    260: "sql",  # EMR Impala
    1093: "sql",  # Hologres SQL
    1221: "python",  # PyODPS 3
}

_EXTENSION_LANGUAGES: dict[str, str] = {
    ".sql": "sql",
    ".hql": "sql",
    ".odps": "sql",
    ".py": "python",
    ".sh": "bash",
    ".bash": "bash",
}

LANGUAGE_NAMES: dict[str, str | Promise] = {
    "sql": "SQL",
    "python": "Python",
    "python2": "Python 2",
    "bash": "Shell",
    "text": _("Plain text"),
}


def language_for_file_type(file_type: int | None, file_name: str = "") -> str:
    """Return the language key for a FileType code, else for the file name's extension, else "text"."""
    if file_type is not None and file_type in FILE_TYPE_LANGUAGES:
        return FILE_TYPE_LANGUAGES[file_type]
    suffix = PurePosixPath(file_name.replace("\\", "/")).suffix.lower() if file_name else ""
    return _EXTENSION_LANGUAGES.get(suffix, "text")


def lexer_for_language(language: str) -> Lexer | None:
    """Return a fresh lexer for a language key, or None for plain text."""
    lexer_class = _LEXERS.get(language)
    if lexer_class is None:
        return None
    # stripnl/ensurenl only affect get_tokens(); set them so the lexer never alters the text either way.
    return lexer_class(stripnl=False, ensurenl=False)


def lexer_for_file_type(file_type: int | None, file_name: str = "") -> Lexer | None:
    """Return the Pygments lexer for a DataWorks FileType code or file name; None means plain text."""
    return lexer_for_language(language_for_file_type(file_type, file_name))
