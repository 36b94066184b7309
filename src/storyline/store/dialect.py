"""SQLite's dialect as PostgreSQL takes it: statements translated, snippets cut alike (queries: store.fulltext)."""

from __future__ import annotations

import re
from functools import lru_cache

from storyline.store import schema

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


def ellipsis(fragment: str, text: str, marks: str) -> str:
    """A PostgreSQL headline with '…' where it cuts the text, as FTS5's snippet marks it."""
    plain = fragment.replace(marks[0], "").replace(marks[1], "")
    if plain and not text.startswith(plain[:40]):
        fragment = "…" + fragment
    if plain and not text.rstrip().endswith(plain[-40:].rstrip()):
        fragment += "…"
    return fragment
