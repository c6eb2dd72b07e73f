"""Queries checked before they are sent: every PromQL expression written in a spec file is parsed
offline, and a bad one is a Problem at the file:line:col of the token that breaks it.

The parser is `promql-parser` (Python bindings of GreptimeDB's Rust PromQL parser, a port of
Prometheus' own grammar and lexer), imported on first use so that `slo --help` never loads it.
Its messages carry no position, so the position is found here, by asking the parser about
prefixes of the expression, token by token (:func:`locate`):

* a lexical error (a bad character, string, escape, number or bracket) is at the first token
  whose prefix gives the same message; an unclosed bracket points at the bracket;
* a syntax error (the parser's bare "invalid promql query") is at the token after the longest
  prefix that some short completion (an operand, a duration, the closing brackets) turns into
  a whole expression; when the whole text is such a prefix, the expression ends too early;
* a message naming its token (``unexpected identifier 'b' in label matching``, ``unknown
  function with name 'rat'``, ``illegal regex for 5[0-9``) is at that token;
* any other error of a well-formed expression (a type or argument error) is at the smallest
  bracketed part (``rate(x)``, ``x{...}``) that alone gives the same message, else at the
  expression's start.

Placeholders are replaced by a duration first (``{{window}}`` in our raw SLIs, ``{{.window}}``
and its Go-template spellings in Sloth queries), and a raw string in backticks by the same
string in double quotes (the parser wrongly reads escapes in raw strings); offsets are mapped
back through both rewrites. The offset inside the expression is mapped to the file through the
YAML scalar that holds it (plain, quoted or block, one line or many): :func:`scalar_position`.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import yaml

from slo_specs.errors import Problem
from slo_specs.selectors import selector_problem

PARSE_WINDOW = "5m"
"""The duration a window placeholder stands for while a template is parsed."""
NATIVE_PLACEHOLDER = re.compile(re.escape("{{window}}"))
SLOTH_PLACEHOLDER = re.compile(r"\{\{-?\s*\.window\s*-?\}\}")
GENERIC = "invalid promql query"
MAX_TOKENS = 400
"""Longer expressions are located at their start (the search asks the parser per token)."""
_LEXICAL = (
    "'!' can not",
    "bad number or duration",
    "escape sequence",
    "expect duration before",
    "too many left",
    "unexpected character",
    "unexpected left brace",
    "unexpected right",
    "unexpected second colon",
    "unknown escape",
    "unterminated quoted",
)
_AT_END = {
    "unclosed left parenthesis": "(",
    "unexpected end of input inside braces": "{",
    "unexpected end of input inside brackets": "[",
}
#: grammar messages that name the token they are about: (pattern, inside braces, tokens after)
_NAMED = (
    (re.compile(r"unexpected (?:identifier )?'(.+)' in label matching"), True, 0),
    (re.compile(r"expected label matching operator after '(.+)'"), True, 1),
    (re.compile(r"unknown function with name '(.+)'"), False, 0),
    (re.compile(r"(.+) is not valid label in grouping"), False, 0),
    (re.compile(r"illegal regex for (.+)"), True, 0),
)
_FILL = ("", " x", " 1", ' "v"', '="v"', " 5m", " x[5m]", " ()", ", x", ", 1", " (x)")
_TAIL = ("", " x", " (x)")
_CLOSE = {"(": ")", "{": "}", "[": "]"}
_registered = False


def parse_error(text: str) -> str | None:
    """The parser's message for ``text``, or None when it is valid PromQL.

    >>> parse_error('sum(rate(http_requests_total{code=~"5.."}[5m]))') is None
    True
    >>> parse_error('sum(rate(x[5m])')
    'unclosed left parenthesis'
    """
    global _registered
    import promql_parser

    if not _registered:  # Prometheus 2's name for double_exponential_smoothing
        vt = promql_parser.ValueType
        holt = promql_parser.Function("holt_winters", [vt.Matrix, vt.Scalar, vt.Scalar], vt.Vector)
        with contextlib.suppress(ValueError):  # a parser version that knows it already
            promql_parser.register_extra_functions([holt])
        _registered = True
    try:
        promql_parser.parse(text)
    except Exception as exc:  # ValueError
        return str(exc).strip() or GENERIC
    except BaseException as exc:  # a Rust panic surfaces as pyo3's PanicException
        if type(exc).__name__ != "PanicException":
            raise
        return f"the parser failed: {exc}"
    return None


def _rewrite(text: str, placeholder: re.Pattern[str] | None) -> tuple[str, list[int]]:
    """``text`` with placeholders replaced by PARSE_WINDOW and backtick strings double-quoted,
    and for each character of the result (and its end) the offset in ``text`` it came from."""
    if "`" not in text and (placeholder is None or placeholder.search(text) is None):
        return text, list(range(len(text) + 1))  # nothing to rewrite: each character stays
    out: list[str] = []
    origin: list[int] = []
    i, quote = 0, ""
    while i < len(text):
        match = placeholder.match(text, i) if placeholder is not None else None
        ch = text[i]
        if match is not None and match.end() > i:
            out.append(PARSE_WINDOW)
            origin += [i] * len(PARSE_WINDOW)
            i = match.end()
            continue
        if quote == "`" and ch != "`" and ch in '\\"':
            out.append("\\" + ch)
            origin += [i, i]
        elif quote == "`" or (not quote and ch == "`"):
            quote = "" if quote else "`"
            out.append('"' if ch == "`" else ch)
            origin.append(i)
        else:
            if quote and ch == "\\" and i + 1 < len(text):
                out.append(text[i : i + 2])
                origin += [i, i + 1]
                i += 2
                continue
            if ch in "\"'" and quote in ("", ch):
                quote = "" if quote else ch
            out.append(ch)
            origin.append(i)
        i += 1
    origin.append(len(text))
    return "".join(out), origin


_TOKEN = re.compile(
    r"""(?P<space>\s+|\#[^\n]*)
    |(?P<string>"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?)
    |(?P<name>[A-Za-z_:][A-Za-z0-9_:]*)
    |(?P<number>[0-9.][0-9A-Za-z_.]*)
    |(?P<op>==|!=|>=|<=|=~|!~|.)""",
    re.VERBOSE | re.DOTALL,
)


def tokens(text: str) -> list[tuple[int, int]]:
    """(start, end) of each token of ``text`` (a light PromQL scanner: only the cut points
    between tokens matter here, never what a token means).

    >>> tokens('rate(x[5m])')
    [(0, 4), (4, 5), (5, 6), (6, 7), (7, 9), (9, 10), (10, 11)]
    """
    out = []
    for match in _TOKEN.finditer(text):
        if match.lastgroup != "space":
            out.append(match.span())
    return out


def _open_brackets(text: str, spans: Sequence[tuple[int, int]]) -> list[int]:
    """Offsets of the brackets left open after the tokens ``spans`` (outermost first)."""
    stack: list[int] = []
    for start, end in spans:
        ch = text[start:end]
        if ch in _CLOSE:
            stack.append(start)
        elif ch in (")", "}", "]") and stack and _CLOSE[text[stack[-1]]] == ch:
            stack.pop()
    return stack


def _completions(text: str, spans: Sequence[tuple[int, int]]) -> Iterator[str]:
    """Short completions of the prefix made of ``spans``: each filler, the closing brackets,
    each tail."""
    prefix = text[: spans[-1][1]] if spans else ""
    closers = "".join(_CLOSE[text[i]] for i in reversed(_open_brackets(text, spans)))
    for fill in _FILL:
        for tail in _TAIL:
            yield prefix + fill + closers + tail


def _kind(message: str | None) -> str:
    """``valid``, ``generic`` (a bare syntax error), ``end``, ``lexical``, ``named`` (a
    grammar message naming its token) or ``semantic`` (a well-formed expression's type or
    argument error)."""
    if message is None:
        return "valid"
    if message == GENERIC:
        return "generic"
    if message in _AT_END or message.startswith("unexpected end of input"):
        return "end"
    if message.startswith(_LEXICAL):
        return "lexical"
    if any(pattern.search(message) for pattern, _, _ in _NAMED):
        return "named"
    return "semantic"


def _syntax_offset(text: str, spans: list[tuple[int, int]]) -> int:
    """Where a syntax error is: the token after the longest prefix that can be completed."""
    for k in range(len(spans), 0, -1):
        completions = _completions(text, spans[:k])
        if any(_kind(parse_error(c)) not in ("generic", "lexical", "end") for c in completions):
            if k < len(spans):
                return spans[k][0]
            stack = _open_brackets(text, spans)
            return stack[-1] if stack else len(text.rstrip())
    return spans[0][0] if spans else 0


def _lexical_offset(text: str, spans: list[tuple[int, int]], message: str) -> int:
    """Where a lexical error is: the first token whose prefix (brackets closed) repeats it."""
    if message in _AT_END or message.startswith("unexpected end of input"):
        opened = [i for i in _open_brackets(text, spans) if text[i] == _AT_END.get(message)]
        return opened[-1] if opened else len(text.rstrip())
    for k in range(1, len(spans) + 1):
        prefix = spans[:k]
        closers = "".join(_CLOSE[text[i]] for i in reversed(_open_brackets(text, prefix)))
        if parse_error(text[: prefix[-1][1]] + closers) == message:
            start, end = prefix[-1]
            escape = re.search(r"escape sequence '(.)'", message)
            if escape:  # at the backslash inside the string
                found = text.find("\\" + escape.group(1), start, end)
                return found if found >= 0 else start
            return start
    return spans[0][0] if spans else 0


def _parts(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Bracketed parts of ``text``: ``name(...)``, ``(...)``, ``name{...}``, ``x[...]``."""
    parts = []
    stack: list[int] = []
    for index, (start, end) in enumerate(spans):
        ch = text[start:end]
        if ch in _CLOSE:
            stack.append(index)
        elif ch in (")", "}", "]") and stack:
            opener = stack.pop()
            first = opener
            if opener > 0 and re.fullmatch(
                r"[A-Za-z_:][A-Za-z0-9_:]*", text[slice(*spans[opener - 1])]
            ):
                first = opener - 1
            parts.append((spans[first][0], end))
            parts.append((spans[opener][0] + 1, start))
    return sorted(set(parts), key=lambda p: (p[1] - p[0], p[0]))


def _named_offset(text: str, spans: list[tuple[int, int]], message: str) -> int:
    """Where a grammar message naming a token is: that token (or the one after it)."""
    for pattern, in_braces, after in _NAMED:
        match = pattern.search(message)
        if match is None:
            continue
        braced = False
        for index, (start, end) in enumerate(spans):
            braced = braced or text[start:end] == "{"
            token = text[start:end]
            if match.group(1) in (token, token[1:-1]) and (braced or not in_braces):
                return spans[min(index + after, len(spans) - 1)][0]
    return _semantic_offset(text, spans, message)


def _semantic_offset(text: str, spans: list[tuple[int, int]], message: str) -> int:
    """Where a type or argument error is: the smallest bracketed part that repeats it."""
    for start, end in _parts(text, spans):
        if text[start:end].strip() and parse_error(text[start:end]) == message:
            return start + len(text[start:end]) - len(text[start:end].lstrip())
    return spans[0][0] if spans else 0


def locate(text: str, message: str) -> int:
    """The offset in ``text`` of what the parser's ``message`` is about (see the module doc).

    >>> locate('sum(rate(x[5m])) / / 2', 'invalid promql query')
    19
    >>> locate('x{a="b"}}', "unexpected right brace '}'")
    8
    """
    spans = tokens(text)
    if len(spans) > MAX_TOKENS:
        return spans[0][0]
    kind = _kind(message)
    if kind == "generic":
        return _syntax_offset(text, spans)
    if kind in ("lexical", "end"):
        return _lexical_offset(text, spans, message)
    if kind == "named":
        return _named_offset(text, spans, message)
    return _semantic_offset(text, spans, message)


@functools.lru_cache(maxsize=4096)
def check(text: str, placeholder: re.Pattern[str] | None = None) -> tuple[int, str] | None:
    """(offset in ``text``, message) of the first PromQL error of ``text``, or None.
    Remembered (SLOs of one service repeat their selectors).

    >>> check('rate(http_requests_total{code=~"5.."}[{{window}}])', NATIVE_PLACEHOLDER) is None
    True
    >>> check('sum(rate(x{a="b"}}[5m]))')
    (17, "unexpected right brace '}'")
    """
    rewritten, origin = _rewrite(text, placeholder)
    message = parse_error(rewritten)
    if message is None:
        return None
    return origin[locate(rewritten, message)], message


def _describe(text: str, offset: int, message: str) -> str:
    """The one-line problem text for a parser message at ``offset``."""
    if message != GENERIC:
        return f"invalid PromQL: {message}"
    spans = [s for s in tokens(text) if s[0] >= offset]
    if offset >= len(text.rstrip()) or not spans:
        return "invalid PromQL: the expression ends too early"
    return f"invalid PromQL: unexpected {text[slice(*spans[0])]!r}"


def scalar_position(node: Any, offset: int) -> tuple[int, int] | None:
    """1-based (line, col) in the file of character ``offset`` of a YAML scalar's value (its
    end when ``offset`` is the value's length), or None when the source text is not at hand."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    buffer = getattr(node.start_mark, "buffer", None)
    if not isinstance(buffer, str):
        return None
    p, end = node.start_mark.pointer, node.end_mark.pointer
    if node.style in ("|", ">"):
        p = buffer.find("\n", p, end) + 1 or end
    elif node.style in ("'", '"'):
        p += 1
    index = p
    for ch in node.value[: offset + 1]:
        if node.style == '"':
            while buffer.startswith("\\\n", p):  # an escaped line break continues the line
                p += 2
                while p < end and buffer[p] in " \t":
                    p += 1
            if p < end and buffer[p] == "\\":  # an escape sequence gives one character
                width = {"x": 4, "u": 6, "U": 10}.get(buffer[p + 1 : p + 2], 2)
                index, p = p, p + width
                continue
        if not ch.isspace():
            while p < end and buffer[p] != ch:
                p += 1
        index = p
        if p < end and buffer[p] == ch:
            p += 1
    if offset >= len(node.value):
        index = p
    line = buffer.count("\n", 0, index) + 1
    return line, index - (buffer.rfind("\n", 0, index) + 1) + 1


def problem(
    locator: Any,
    loc: Sequence[str | int],
    text: str,
    *,
    shown: Sequence[str | int] | None = None,
    placeholder: re.Pattern[str] | None = None,
    prefix: str = "",
) -> Problem | None:
    """The Problem of PromQL ``text`` written at ``loc`` (the locator's loc), or None when it
    parses. ``prefix`` is parsed before ``text`` (a histogram name before its selector)."""
    found = check(prefix + text, placeholder)
    if found is None:
        return None
    offset, message = found
    offset = max(0, offset - len(prefix))
    where = locator.problem(loc, "", shown=shown)
    position = scalar_position(locator.node(loc), offset)
    description = _describe(text, offset, message)
    if position is None:
        description += " (at the start of the value: the position inside it is not known)"
    elif len(tokens(prefix + text)) > MAX_TOKENS:
        description += f" (at the start of the expression: over {MAX_TOKENS} tokens, not located)"
    line, col = position or (where.line, where.col)
    return Problem(where.path, line, col, where.loc, description)


_NATIVE_FIELDS = {
    "ratio": ("good", "bad", "total"),
    "timeslices": ("query",),
    "raw": ("error_ratio", "good", "bad", "total"),
}


def native_problems(data: Any, locator: Any) -> list[Problem]:
    """The PromQL problems of a native (``slo/v1``) document's SLIs."""
    slos = data.get("slos") if isinstance(data, Mapping) else None
    out: list[Problem] = []
    for index, slo in enumerate(slos if isinstance(slos, list) else []):
        sli = slo.get("sli") if isinstance(slo, Mapping) else None
        if not isinstance(sli, Mapping):
            continue
        for kind, body in sli.items():
            if not isinstance(body, Mapping):
                continue
            loc = ("slos", index, "sli", kind)
            found: Problem | None = None
            for field in _NATIVE_FIELDS.get(str(kind), ()):
                value = body.get(field)
                template = NATIVE_PLACEHOLDER if kind == "raw" else None
                if not isinstance(value, str) or not value.strip():
                    continue
                if template is None or template.search(value):  # else the model says why
                    found = problem(locator, (*loc, field), value, placeholder=template)
                    out += [found] if found else []
            name, selector = body.get("histogram"), body.get("selector")
            if kind == "latency" and _metric(name) and _matchers(selector):
                bucket = str(name).strip() + "_bucket"
                found = problem(locator, (*loc, "selector"), str(selector), prefix=bucket)
                out += [found] if found else []
    return out


def _matchers(selector: object) -> bool:
    """Whether a latency selector has the shape of label matchers (else the model says why)."""
    if not isinstance(selector, str) or not selector.strip():
        return False
    return selector_problem(selector, allow_metric=False) is None


def _metric(name: object) -> bool:
    return (
        isinstance(name, str) and re.fullmatch(r"\s*[a-zA-Z_:][a-zA-Z0-9_:]*\s*", name) is not None
    )


def merge(problems: Sequence[Problem], promql: Sequence[Problem]) -> list[Problem]:
    """``problems`` and the PromQL ``promql`` problems, without a second problem for a field
    that has a PromQL one (whose position inside the value is the more precise)."""
    bad = {(p.path, p.loc) for p in promql}
    return [p for p in problems if (p.path, p.loc) not in bad] + list(promql)
