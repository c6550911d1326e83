"""The corpus files, the table definitions and the golden files (formats in
emulator/tests/trino/README.md; the Rust tests read the golden files, so the format here is a
contract)."""

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTDATA = REPO / "emulator" / "tests" / "trino"
CORPUS = TESTDATA / "corpus"
TABLES = TESTDATA / "tables"
GOLDEN = TESTDATA / "golden"

FAMILY_NAME = re.compile(r"[a-z0-9_]+")


# ---------------------------------------------------------------- corpus


class CorpusError(Exception):
    pass


def families():
    return sorted(p.stem for p in CORPUS.glob("*.sql"))


def parse_corpus(path):
    """The cases of one corpus file, in order: a list of SQL keys.

    A case is one statement ending with `;` at the end of a line; it may span lines.
    Lines whose first non-blank characters are `--` are comments and are dropped (also
    inside a statement). The key is the statement without its final `;`, stripped of
    surrounding whitespace, internal newlines kept.
    """
    cases = []
    seen = {}
    lines = []
    first_line = None
    text = Path(path).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("--"):
            continue
        if not lines and not line.strip():
            continue
        if not lines:
            first_line = number
        lines.append(line)
        if line.rstrip().endswith(";"):
            sql = "\n".join(lines).strip()[:-1].strip()
            lines = []
            if not sql:
                raise CorpusError(f"{path}:{first_line}: empty statement")
            if sql in seen:
                raise CorpusError(f"{path}:{first_line}: duplicate case (first at line "
                                  f"{seen[sql]}): {sql}")
            seen[sql] = first_line
            cases.append(sql)
    if lines:
        raise CorpusError(f"{path}:{first_line}: statement without a final `;` at the end "
                          "of a line")
    return cases


def is_ordered(sql):
    """True when the outermost query has an ORDER BY (row order is part of the answer).

    A scan for ORDER BY at parenthesis depth 0, outside string literals, quoted
    identifiers and comments: ORDER BY inside a subquery, OVER (...) or an aggregate's
    argument list does not count.
    """
    depth = 0
    i = 0
    n = len(sql)
    outer = []  # characters at depth 0 outside literals, with literals blanked
    while i < n:
        c = sql[i]
        if c in "'\"":
            # A literal ends at the next lone quote; a doubled quote is an escaped one.
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
            outer.append(" ")
            continue
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j
            continue
        if sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
            outer.append(" ")
            continue
        if c == "(":
            depth += 1
            outer.append(" ")
        elif c == ")":
            depth -= 1
            outer.append(" ")
        else:
            outer.append(c if depth == 0 else " ")
        i += 1
    return re.search(r"\bORDER\s+BY\b", "".join(outer), re.IGNORECASE) is not None


# ---------------------------------------------------------------- tables


HIVE_SCALARS = {
    "boolean": "boolean",
    "tinyint": "tinyint",
    "smallint": "smallint",
    "int": "integer",
    "integer": "integer",
    "bigint": "bigint",
    "float": "real",
    "real": "real",
    "double": "double",
    "string": "varchar",
    "date": "date",
    # Athena's table timestamps are milliseconds, as is Trino's Hive default.
    "timestamp": "timestamp(3)",
    "binary": "varbinary",
}


def trino_type(hive):
    """Trino's type for a Hive column type (the types of Athena's CREATE EXTERNAL TABLE)."""
    t = hive.strip().lower()
    if t in HIVE_SCALARS:
        return HIVE_SCALARS[t]
    if t == "decimal":
        return "decimal(10,0)"
    m = re.fullmatch(r"(decimal|varchar|char)\s*\(([\d\s,]+)\)", t)
    if m:
        return f"{m.group(1)}({m.group(2).replace(' ', '')})"
    m = re.fullmatch(r"array\s*<(.*)>", t)
    if m:
        return f"array({trino_type(m.group(1))})"
    m = re.fullmatch(r"map\s*<(.*)>", t)
    if m:
        key, value = _split_top(m.group(1), ",")
        return f"map({trino_type(key)}, {trino_type(value)})"
    m = re.fullmatch(r"struct\s*<(.*)>", t)
    if m:
        fields = []
        for part in _split_top(m.group(1), ","):
            name, ftype = part.split(":", 1)
            fields.append(f'"{name.strip()}" {trino_type(ftype)}')
        return f"row({', '.join(fields)})"
    raise CorpusError(f"unsupported Hive column type: {hive}")


def _split_top(text, sep):
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "<(":
            depth += 1
        elif c in ">)":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def load_tables():
    """{name: {"columns": [[name, hive type], ...], "field_delimiter": str, "dir": Path}}"""
    tables = {}
    for spec in sorted(TABLES.glob("*/table.json")):
        data = json.loads(spec.read_text(encoding="utf-8"))
        name = spec.parent.name
        if not FAMILY_NAME.fullmatch(name):
            raise CorpusError(f"{spec}: table names are [a-z0-9_]+")
        columns = data["columns"]
        if not columns or any(len(c) != 2 for c in columns):
            raise CorpusError(f"{spec}: columns must be [[name, hive type], ...]")
        delimiter = data.get("field_delimiter", "\x01")
        if len(delimiter) != 1:
            raise CorpusError(f"{spec}: field_delimiter must be one character")
        tables[name] = {"columns": columns, "field_delimiter": delimiter, "dir": spec.parent}
    return tables


def sql_string(text):
    """A SQL string literal; characters below space as a Unicode escape literal."""
    if all(" " <= c for c in text):
        return "'" + text.replace("'", "''") + "'"
    body = "".join(f"\\{ord(c):04x}" if c < " " or c == "\\" else
                   ("''" if c == "'" else c) for c in text)
    return f"U&'{body}'"


def create_table_sql(schema, name, table, location):
    columns = ", ".join(f'"{col}" {trino_type(hive)}' for col, hive in table["columns"])
    return (f'CREATE TABLE {schema}."{name}" ({columns}) WITH ('
            f"external_location = {sql_string(location)}, format = 'TEXTFILE', "
            f"textfile_field_separator = {sql_string(table['field_delimiter'])})")


# ---------------------------------------------------------------- golden


def golden_text(family, trino_version, recorded_with, cases):
    """The golden file's text: stable (same cases, same bytes) and diff-friendly.

    Pretty-printed JSON with one key per line for each case and one line per row.
    """
    def dump(value):
        return json.dumps(value, ensure_ascii=False)

    out = ["{",
           f'  "trino_version": {dump(trino_version)},',
           f'  "recorded_with": {dump(recorded_with)},',
           f'  "family": {dump(family)},',
           '  "cases": [']
    for i, case in enumerate(cases):
        fields = [f'      "sql": {dump(case["sql"])}']
        if "error" in case:
            fields.append(f'      "error": {dump(case["error"])}')
        else:
            fields.append(f'      "ordered": {dump(case["ordered"])}')
            fields.append(f'      "columns": {dump(case["columns"])}')
            if case["rows"]:
                rows = ",\n".join(f"        {dump(row)}" for row in case["rows"])
                fields.append(f'      "rows": [\n{rows}\n      ]')
            else:
                fields.append('      "rows": []')
        comma = "," if i + 1 < len(cases) else ""
        out.append("    {\n" + ",\n".join(fields) + "\n    }" + comma)
    out.append("  ]")
    out.append("}")
    return "\n".join(out) + "\n"
