"""The one full-text query grammar of the CLI, the API and the pages: parsed into a tree, written as FTS5 or tsquery.

The grammar (SYNTAX says it in a line for the help texts):

    query    := or_expr
    or_expr  := and_expr ( "OR" and_expr )*
    and_expr := unary ( ["AND"] unary )*           words side by side must all appear
    unary    := ( "NOT" | "-" ) primary | primary   NOT and -word exclude; a group needs a word to find
    primary  := [ field ":" ] ( WORD | "PHRASE" ) ["*"] | "(" or_expr ")"
    field    := "title" | "text"

- A WORD is what stands between spaces, double quotes and parentheses, written as it is in the
  articles: "S-400", "F-35", "HQ-9", "$400,000" or "U.S." are each found as written, the phrase of the
  tokens the index's own tokenizer splits them into (FTS5's unicode61 on SQLite, PostgreSQL's parser
  there), so "S-400" finds "S-400" and not "400 miles". A word with no letter or digit is left out.
- AND, OR and NOT are operators only in capitals ("or" is a word). "-" excludes only at a word's
  start ("-word", "-\"a phrase\"", "-(a OR b)"); inside a word it is the word's own ("S-400").
- "*" right after a word or a phrase makes its last token a prefix ("negotiat*").
- title: or text: keeps a word or phrase to that column ("title:Erdogan").

`parse` gives the tree (Term, And, Or, Not) or raises QueryError naming the problem in one line: an
empty query, an unclosed quote or parenthesis, an operator with nothing on one side, a group that only
excludes. `fts5` and `tsquery` write the tree for SQLite's MATCH and for PostgreSQL's
to_tsquery('simple', …); both travel as a bound parameter, never inside SQL, and every word is a
quoted string there (FTS5 "…" and tsquery '…'), so nothing the user types is read as their syntax."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyline.store import schema
from storyline.store.errors import QueryError

SYNTAX = ('words (all must appear), "exact phrases", S-400 as written, OR, NOT or -word, prefix*, '
          '(groups), title:word')
FIELDS = schema.search_weights("articles")  # the columns a term may be kept to → their tsvector weight
MAX_DEPTH = 32  # nested parentheses (FTS5's own limit is 256; a deeper query is a mistake, not a search)
MAX_TERMS = 200  # words and phrases in one query
_SPECIAL = '"()'
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits: what both tokenizers keep (the rest separates tokens)
_FIELD = re.compile(r"([A-Za-z]+):")
_ONLY_NOT = "NOT and -word only exclude: give a word to find beside them (e.g. 'Turkey -NATO')"


@dataclass(frozen=True)
class Term:
    """A word or a "phrase" as typed: found as the phrase of its tokens; `prefix`: its last token a
    prefix; `field`: only in that column."""

    text: str
    prefix: bool = False
    field: str | None = None


@dataclass(frozen=True)
class Not:
    """What must not appear (only ever inside an And that finds something)."""

    item: Node


@dataclass(frozen=True)
class And:
    """Every item (a Term, an Or, or a Not) must hold; at least one is not a Not."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """One of the items (none a Not) must hold."""

    items: tuple[Node, ...]


Node = Term | Not | And | Or


# --- lexing ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Tok:
    kind: str  # "term", "(", ")", "AND", "OR", "NOT" ("-" is read as NOT)
    text: str = ""
    prefix: bool = False
    field: str | None = None


def _clip(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _lex(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(query)
    field: str | None = None  # a "title:" read, waiting for its word or phrase
    while i < n:
        ch = query[i]
        if ch.isspace():
            if field is not None:
                raise QueryError(f'{field}: needs a word or a "phrase" right after it')
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError(f"a quote is not closed: {_clip(query[i:])}")
            j = end + 1
            prefix = j < n and query[j] == "*"
            while j < n and query[j] == "*":
                j += 1
            if _TOKEN.search(query[i + 1:end]):
                toks.append(_Tok("term", query[i + 1:end], prefix, field))
            elif field is not None or not query[i + 1:end].strip():
                raise QueryError(f'an empty phrase: {query[i:end + 1]} holds no word')
            field, i = None, j
        elif ch in "()":
            if field is not None:
                raise QueryError(f'{field}: applies to a word or a "phrase", not to parentheses')
            toks.append(_Tok(ch))
            i += 1
        elif ch == "-" and field is None and (i == 0 or query[i - 1].isspace() or query[i - 1] == "(") \
                and i + 1 < n and not query[i + 1].isspace() and query[i + 1] != "-":
            toks.append(_Tok("NOT", "-"))  # -word, -"phrase", -(group): exclude
            i += 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in _SPECIAL:
                j += 1
            word = query[i:j]
            m = _FIELD.match(word)
            if field is None and m and m.group(1).lower() in FIELDS:
                field, i = m.group(1).lower(), i + m.end()
                continue
            if word in ("AND", "OR", "NOT") and field is None:
                toks.append(_Tok(word, word))
            else:
                prefix = word.endswith("*")
                text = word.rstrip("*")
                if _TOKEN.search(text):
                    toks.append(_Tok("term", text, prefix, field))
                elif field is not None:
                    raise QueryError(f'{field}: needs a word or a "phrase" right after it')
            field, i = None, j
    if field is not None:
        raise QueryError(f'{field}: needs a word or a "phrase" right after it')
    return toks


# --- parsing -------------------------------------------------------------------------------------
def parse(query: str) -> Node:
    """The query's tree; QueryError (one line, naming the problem) when it is not in the grammar."""
    toks = _lex(query)
    if not toks:
        raise QueryError('nothing to search for: give a word or a "phrase"')
    if sum(t.kind == "term" for t in toks) > MAX_TERMS:
        raise QueryError(f"too many words: at most {MAX_TERMS} words and phrases")
    pos = 0

    def peek() -> _Tok | None:
        return toks[pos] if pos < len(toks) else None

    def after(op: str) -> QueryError:
        return QueryError(f"{op} needs a word after it" + (" (at the end of the query)" if peek() is None else ""))

    def starts_operand(t: _Tok | None) -> bool:
        return t is not None and t.kind in ("term", "(", "NOT")

    def primary(depth: int) -> Node:
        nonlocal pos
        t = peek()
        assert t is not None and t.kind in ("term", "(")
        pos += 1
        if t.kind == "term":
            return Term(t.text, t.prefix, t.field)
        if depth >= MAX_DEPTH:
            raise QueryError(f"parentheses nested too deep (at most {MAX_DEPTH})")
        if (nxt := peek()) is not None and nxt.kind == ")":
            raise QueryError("empty parentheses: () holds no word")
        inner = or_expr(depth + 1)
        if peek() is None:
            raise QueryError("a parenthesis is not closed: a '(' has no ')'")
        pos += 1  # the ")"
        return inner

    def unary(depth: int) -> Node:
        nonlocal pos
        t = peek()
        if t is not None and t.kind == "NOT":
            pos += 1
            nxt = peek()
            if nxt is None or nxt.kind not in ("term", "("):
                raise after(t.text)
            return Not(primary(depth))
        if t is None:  # only after a "(" with nothing behind it
            raise QueryError("a parenthesis is not closed: a '(' has no ')'")
        if t.kind in ("AND", "OR"):
            raise QueryError(f"{t.kind} needs a word before it")
        if t.kind == ")":
            raise QueryError("a ')' has no '(' before it")
        return primary(depth)

    def and_expr(depth: int) -> Node:
        nonlocal pos
        items = [unary(depth)]
        while (t := peek()) is not None and (t.kind == "AND" or starts_operand(t)):
            if t.kind == "AND":
                pos += 1
                if not starts_operand(peek()):
                    raise after("AND")
            items.append(unary(depth))
        if all(isinstance(x, Not) for x in items):
            raise QueryError(_ONLY_NOT)
        return items[0] if len(items) == 1 else And(tuple(items))

    def or_expr(depth: int) -> Node:
        nonlocal pos
        items = [and_expr(depth)]
        while (t := peek()) is not None and t.kind == "OR":
            pos += 1
            if not starts_operand(peek()):
                raise after("OR")
            items.append(and_expr(depth))
        return items[0] if len(items) == 1 else Or(tuple(items))

    tree = or_expr(0)
    if pos < len(toks):  # only a stray ")" stops every level before the end
        raise QueryError("a ')' has no '(' before it")
    return tree


def check(query: str) -> str:
    """The query as given when it parses (for a form or an API parameter); else QueryError."""
    parse(query)
    return query


# --- writing -------------------------------------------------------------------------------------
def fts5(node: Node) -> str:
    """The tree as an FTS5 MATCH expression: each term a quoted string, which FTS5 splits with the
    index's tokenizer into a phrase; prefix as `"…" *`, a field as `title : "…"`."""
    if isinstance(node, Term):
        out = '"' + node.text.replace('"', '""') + '"' + (" *" if node.prefix else "")
        return f"{node.field} : {out}" if node.field else out
    if isinstance(node, Or):
        return " OR ".join(_fts5_group(x) for x in node.items)
    if isinstance(node, And):
        keep = " AND ".join(_fts5_group(x) for x in node.items if not isinstance(x, Not))
        drop = [x.item for x in node.items if isinstance(x, Not)]
        if not drop:
            return keep
        return f"({keep}) NOT " + (_fts5_group(drop[0]) if len(drop) == 1 else f"({fts5(Or(tuple(drop)))})")
    raise QueryError(_ONLY_NOT)  # a bare Not: parse never gives one


def _fts5_group(node: Node) -> str:
    return fts5(node) if isinstance(node, Term) else f"({fts5(node)})"


def tsquery(node: Node) -> str:
    """The tree as text for PostgreSQL's to_tsquery('simple', …): each word a quoted lexeme, which
    PostgreSQL's parser splits as it split the articles (S-400 → 's' <-> '-400'), a phrase's words
    joined by <->; prefix on its last word (:*), a field as its weight (title → :A)."""
    if isinstance(node, Term):
        weight = FIELDS[node.field] if node.field else ""
        words = [w for w in node.text.split() if _TOKEN.search(w)]  # PostgreSQL would count a bare "&" as a gap
        parts = []
        for k, w in enumerate(words):
            label = ("*" if node.prefix and k == len(words) - 1 else "") + weight
            parts.append(_lexeme(w) + (":" + label if label else ""))
        return parts[0] if len(parts) == 1 else "( " + " <-> ".join(parts) + " )"
    if isinstance(node, Or):
        return " | ".join(_tsquery_group(x) for x in node.items)
    if isinstance(node, And):
        return " & ".join("!" + _tsquery_group(x.item) if isinstance(x, Not) else _tsquery_group(x)
                          for x in node.items)
    raise QueryError(_ONLY_NOT)


def _tsquery_group(node: Node) -> str:
    return tsquery(node) if isinstance(node, Term) else f"( {tsquery(node)} )"


def _lexeme(text: str) -> str:
    """A word as a quoted tsquery lexeme (quote doubled, backslash escaped)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def unmark(snippet: str) -> tuple[str, list[list[int]]]:
    """A snippet with the highlight markers U+E000/U+E001 → (plain text, [start, end) of each highlighted run,
    runs that touch joined: PostgreSQL marks S-400's lexemes 's' and '-400' apart)."""
    out: list[str] = []
    spans: list[list[int]] = []
    pos = 0
    start = None
    for ch in snippet:
        if ch == "\ue000":
            start = pos
        elif ch == "\ue001":
            if start is not None and spans and spans[-1][1] == start:  # touching runs are one ('S' '-400')
                spans[-1][1] = pos
            elif start is not None:
                spans.append([start, pos])
            start = None
        else:
            out.append(ch)
            pos += 1
    return "".join(out), spans
