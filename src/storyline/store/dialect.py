"""SQLite's dialect as PostgreSQL takes it: statements translated, FTS5 queries as tsquery, snippets cut alike."""

from __future__ import annotations

import re
from functools import lru_cache

from storyline.store import schema
from storyline.store.errors import QueryError

# the key of each table, for PostgreSQL's ON CONFLICT in place of SQLite's INSERT OR REPLACE
_PG_KEYS = schema.primary_keys()


@lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """One of the store's statements, written for SQLite, as PostgreSQL takes it: ? placeholders
    become %s, INSERT OR IGNORE / OR REPLACE become ON CONFLICT, json_extract(x, '$.k') becomes
    x::json ->> 'k' and json_array_length takes x::json. Only the store's own SQL comes here."""
    out = sql.replace("%", "%%").replace("?", "%s")
    if out.startswith("INSERT OR IGNORE INTO"):
        out = "INSERT INTO" + out[len("INSERT OR IGNORE INTO"):] + " ON CONFLICT DO NOTHING"
    elif out.startswith("INSERT OR REPLACE INTO"):
        m = re.match(r"INSERT OR REPLACE INTO (\w+)\(([^)]*)\)", out)
        assert m, sql
        key = _PG_KEYS[m.group(1)]
        cols = [c.strip() for c in m.group(2).split(",") if c.strip() not in key]
        out = ("INSERT INTO" + out[len("INSERT OR REPLACE INTO"):] + f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
               + ", ".join(f"{c} = EXCLUDED.{c}" for c in cols))
    out = re.sub(r"\bLIKE\b", "ILIKE", out)  # SQLite's LIKE ignores case
    out = re.sub(r"json_extract\(([\w.]+), '\$\.(\w+)'\)", r"(\1::json ->> '\2')", out)
    return re.sub(r"json_array_length\(([\w.]+)\)", r"json_array_length(\1::json)", out)


_BAREWORD = re.compile(r"[0-9A-Za-z_\x1a\u0080-\U0010ffff]+")
_FTS_COLUMNS = schema.search_weights("articles")  # column filter (title:) → tsvector weight


def tsquery(query: str) -> str:
    """An FTS5 query as a PostgreSQL tsquery (for to_tsquery('simple', …)): barewords and "phrases"
    (a phrase keeps its word order), prefix*, AND, OR, NOT, implicit AND, parentheses, and a column
    filter (title: or text:). Raises QueryError on what FTS5 would refuse, and on NEAR, which
    PostgreSQL has no match for. The terms travel quoted inside the tsquery text, never as SQL."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            j, buf = i + 1, []
            while True:
                if j >= n:
                    raise QueryError("fts5: syntax error: unterminated string")
                if query[j] == '"':
                    if j + 1 < n and query[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(query[j])
                j += 1
            tokens.append(("term", "".join(buf)))
            i = j + 1
        elif ch in "()*:":
            tokens.append((ch, ch))
            i += 1
        else:
            m = _BAREWORD.match(query, i)
            if not m:
                raise QueryError(f'fts5: syntax error near "{ch}"')
            word = m.group()
            tokens.append(("op", word) if word in ("AND", "OR", "NOT") else ("term", word))
            i = m.end()
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise QueryError("fts5: syntax error near \"\"")
        pos += 1
        return tokens[pos - 1]

    def primary() -> str:
        kind, value = take()
        if kind == "(":
            inner = or_expr()
            if take()[0] != ")":
                raise QueryError('fts5: syntax error near ")"')
            return f"( {inner} )"
        if kind != "term":
            raise QueryError(f'fts5: syntax error near "{value}"')
        weight = ""
        if peek() == (":", ":") and value in _FTS_COLUMNS:
            take()
            weight = _FTS_COLUMNS[value]
            kind, value = take()
            if kind != "term":
                raise QueryError(f'fts5: syntax error near "{value}"')
        elif peek() == (":", ":"):
            raise QueryError(f"fts5: no such column: {value}")
        if value == "NEAR" and peek() == ("(", "("):
            raise QueryError("NEAR is not supported on PostgreSQL")
        prefix = "*" if peek() == ("*", "*") else ""
        if prefix:
            take()
        lexeme = "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
        return lexeme + (":" + prefix + weight if prefix or weight else "")

    def not_expr() -> str:
        out = primary()
        while peek() == ("op", "NOT"):
            take()
            out = f"( {out} & !{primary()} )"
        return out

    def and_expr() -> str:
        out = not_expr()
        while (t := peek()) and (t == ("op", "AND") or t[0] in ("term", "(")):
            if t[0] == "op":
                take()
            out = f"{out} & {not_expr()}"
        return out

    def or_expr() -> str:
        out = and_expr()
        while peek() == ("op", "OR"):
            take()
            out = f"( {out} ) | ( {and_expr()} )"
        return out

    if not tokens:
        raise QueryError('fts5: syntax error near ""')
    result = or_expr()
    if pos != len(tokens):
        raise QueryError(f'fts5: syntax error near "{tokens[pos][1]}"')
    return result


def ellipsis(fragment: str, text: str, marks: str) -> str:
    """A PostgreSQL headline with '…' where it cuts the text, as FTS5's snippet marks it."""
    plain = fragment.replace(marks[0], "").replace(marks[1], "")
    if plain and not text.startswith(plain[:40]):
        fragment = "…" + fragment
    if plain and not text.rstrip().endswith(plain[-40:].rstrip()):
        fragment += "…"
    return fragment
