"""Safe YAML reading with positions: documents as plain data plus a :class:`Locator` per document.

Safety: only the safe constructors (``yaml.safe_load`` semantics), a size limit per file, a
limit on the size of a document after alias expansion (alias bombs: a few lines can expand to
billions of nodes once validated), a nesting limit, and no recursive aliases. Only regular
files are read (a FIFO or device named `*.yaml` would block or never end). A file with more
items than any document may hold is refused before parsing (pure-Python YAML parsing of a
1 MiB flow list takes tens of seconds). A value its explicit tag cannot hold (`!!bool maybe`,
`!!int x`) is a located problem like any other.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from slo_specs.errors import Problem

MAX_FILE_BYTES = 1024 * 1024
"""Largest spec file read (1 MiB)."""
MAX_EXPANDED_NODES = 100_000
"""Most YAML nodes a document may have once every alias is expanded."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists in a document."""

Loc = tuple[str | int, ...]


def format_loc(loc: Sequence[str | int]) -> str:
    """A loc path for messages: ``("slos", 1, "objective")`` -> ``slos[1].objective``.

    >>> format_loc(("slos", 1, "objective"))
    'slos[1].objective'
    >>> format_loc(())
    ''
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class Locator:
    """Maps loc paths of one YAML document to 1-based (line, col) of the node they name.

    ``position(loc)`` gives the value node's position, ``position(loc, key=True)`` the position
    of the mapping key instead (for unknown or duplicate keys). A loc that does not resolve
    (e.g. a missing key) falls back to its longest resolvable prefix, so every problem gets a
    real position inside the document.
    """

    def __init__(self, path: str, root: yaml.Node | None, *, start: tuple[int, int] = (1, 1)):
        self.path = path
        self.root = root
        self.start = start

    def _resolve(self, loc: Sequence[str | int]) -> tuple[yaml.Node | None, yaml.Node | None, bool]:
        """(deepest node reached, its mapping key node, whether the whole loc was reached)."""
        node, key_node = self.root, None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                found = None
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                        found = (k, v)  # the last one wins, as in the constructed data
                if found is None:
                    return node, key_node, False
                key_node, node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return node, key_node, False
                key_node, node = None, node.value[part]
            else:
                return node, key_node, False
        return node, key_node, True

    def node(self, loc: Sequence[str | int]) -> yaml.Node | None:
        """The value node at ``loc``, or None when ``loc`` does not resolve in full."""
        node, _key, complete = self._resolve(loc)
        return node if complete else None

    def position(self, loc: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """1-based (line, col) of the node at ``loc`` (or of its key, with ``key=True``)."""
        node, key_node, complete = self._resolve(loc)
        if key and complete and key_node is not None:
            return _mark(key_node)
        return _mark(node) if node is not None else self.start

    def problem(
        self,
        loc: Sequence[str | int],
        message: str,
        *,
        key: bool = False,
        shown: Sequence[str | int] | None = None,
    ) -> Problem:
        """A Problem at ``loc``; ``shown`` is the loc printed, when it differs from ``loc``."""
        line, col = self.position(loc, key=key)
        return Problem(self.path, line, col, format_loc(loc if shown is None else shown), message)


class DocumentsLocator:
    """A Locator over several documents of one file: the first loc element is the index into
    the list of documents handed over with it, and is not printed."""

    def __init__(self, locators: Sequence[Locator]):
        self.locators = list(locators)
        self.path = self.locators[0].path if self.locators else ""

    def position(self, loc: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        index = int(loc[0])
        return self.locators[index].position(loc[1:], key=key)

    def problem(
        self,
        loc: Sequence[str | int],
        message: str,
        *,
        key: bool = False,
        shown: Sequence[str | int] | None = None,
    ) -> Problem:
        index = int(loc[0])
        return self.locators[index].problem(
            loc[1:], message, key=key, shown=loc[1:] if shown is None else shown
        )

    def node(self, loc: Sequence[str | int]) -> yaml.Node | None:
        return self.locators[int(loc[0])].node(loc[1:])

    def document(self, index: int) -> Locator:
        """The locator of one document (loc paths without the index)."""
        return self.locators[index]


@dataclass
class Document:
    """One YAML document of a file: its data (None when empty) and where its nodes are."""

    data: Any
    locator: Locator
    index: int


@dataclass
class ReadResult:
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _construct_object(loader: Any, node: yaml.Node, deep: bool = False) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_object(loader, node, deep)
    except yaml.YAMLError:
        raise
    except (KeyError, TypeError, ValueError, OverflowError, IndexError, AttributeError):
        tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
        value = node.value if isinstance(node, yaml.ScalarNode) else ""
        raise yaml.constructor.ConstructorError(
            None, None, f"{str(value)[:40]!r} is not a valid {tag} value", node.start_mark
        ) from None


class _Loader(yaml.SafeLoader):
    """SafeLoader; kept as a subclass so our limits never change the global SafeLoader."""

    construct_object = _construct_object


class _CLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """libyaml's composer with the same constructor as _Loader (read_text's ``fast``)."""

    construct_object = _construct_object


def _too_many_items(text: str) -> bool:
    """Whether the text surely holds more items than MAX_EXPANDED_NODES allows: every list or
    mapping entry needs a line or a comma of its own."""
    return text.count(",") + text.count("\n") > MAX_EXPANDED_NODES


def _check_shape(root: yaml.Node) -> str | None:
    """Why a composed document is unsafe to construct (too big, too deep, recursive), or None."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        ident = id(node)
        if ident in sizes:
            return sizes[ident]
        if ident in active:
            raise _Refuse("recursive alias (an anchor used inside itself)")
        if depth > MAX_DEPTH:
            raise _Refuse(f"nested more than {MAX_DEPTH} levels deep")
        total = 1
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            active.add(ident)
            children = (
                [c for pair in node.value for c in pair]
                if isinstance(node, yaml.MappingNode)
                else node.value
            )
            for child in children:
                total += size(child, depth + 1)
                if total > MAX_EXPANDED_NODES:
                    raise _Refuse(
                        f"document too large once aliases are expanded (more than "
                        f"{MAX_EXPANDED_NODES} nodes)"
                    )
            active.discard(ident)
        sizes[ident] = total
        return total

    try:
        size(root, 0)
    except _Refuse as exc:
        return str(exc)
    return None


class _Refuse(Exception):
    pass


def _duplicate_keys(root: yaml.Node, locator: Locator) -> list[Problem]:
    """Problems for mapping keys written twice (YAML loaders silently keep the last)."""
    problems: list[Problem] = []
    seen_nodes: set[int] = set()

    def walk(node: yaml.Node, loc: Loc) -> None:
        if id(node) in seen_nodes:
            return
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    if k.value in keys:
                        line, col = _mark(k)
                        problems.append(
                            Problem(
                                locator.path,
                                line,
                                col,
                                format_loc(loc),
                                f"duplicate key {k.value!r}",
                            )
                        )
                    keys.add(k.value)
                    walk(v, (*loc, k.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, child in enumerate(node.value):
                walk(child, (*loc, i))

    walk(root, ())
    return problems


def _yaml_problem(path: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    text = f"{context}: {what}" if context and context not in what else what
    return Problem(path, line, col, "", f"YAML syntax error: {text}")


def _reader_problem(path: str, text: str, exc: yaml.reader.ReaderError) -> Problem:
    before = text[: exc.position]
    line = before.count("\n") + 1
    col = exc.position - (before.rfind("\n") + 1) + 1
    return Problem(
        path,
        line,
        col,
        "",
        f"YAML syntax error: character U+{int(exc.character):04X} is not allowed in YAML",
    )


def read_text(text: str, path: str, *, fast: bool = False) -> ReadResult:
    """Every document of a YAML text, or the problems that stopped reading it.

    ``fast``: compose with libyaml (when PyYAML has it), about 20× faster than PyYAML's own
    composer, with the same nodes, data and line/column of every node, but no position inside
    a scalar (where a PromQL error points). Callers read fast first and read again without it
    when anything is wrong (slo_specs.loader.check_paths), so problems point where they did."""
    result = ReadResult()
    if _too_many_items(text):
        return ReadResult(
            problems=[Problem(path, 1, 1, "", f"too many items (more than {MAX_EXPANDED_NODES})")]
        )
    try:
        # libyaml and PyYAML part ways on tabs (`key\t: v`) and on non-ASCII line breaks
        # (NEL, LS, PS): such texts are composed by PyYAML alone
        if fast and yaml.__with_libyaml__ and text.isascii() and "\t" not in text:
            yaml.reader.Reader(text)  # the characters YAML forbids, as PyYAML's reader checks
            loader: yaml.SafeLoader | _CLoader = _CLoader(text)
        else:
            loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # checked up front: characters YAML forbids
        return ReadResult(problems=[_reader_problem(path, text, exc)])
    try:
        index = 0
        while True:
            try:
                if not loader.check_node():
                    break
                root = loader.get_node()
            except yaml.YAMLError as exc:
                result.problems.append(_yaml_problem(path, exc))
                break
            except RecursionError:
                result.problems.append(
                    Problem(path, 1, 1, "", f"nested more than {MAX_DEPTH} levels deep")
                )
                break
            if root is None:
                continue
            locator = Locator(path, root, start=_mark(root))
            refusal = _check_shape(root)
            if refusal:
                line, col = _mark(root)
                result.problems.append(Problem(path, line, col, "", refusal))
                index += 1
                continue
            duplicates = _duplicate_keys(root, locator)
            if duplicates:
                result.problems.extend(duplicates)
            try:
                data = loader.construct_document(root)
            except yaml.YAMLError as exc:
                result.problems.append(_yaml_problem(path, exc))
                index += 1
                continue
            except (TypeError, ValueError, OverflowError) as exc:
                line, col = _mark(root)
                result.problems.append(Problem(path, line, col, "", f"cannot read YAML: {exc}"))
                index += 1
                continue
            result.documents.append(Document(data, locator, index))
            index += 1
    finally:
        loader.dispose()
    return result


def read_file(path: str, *, fast: bool = False) -> ReadResult:
    """Read one spec file with the size and encoding checks, then :func:`read_text`."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; only regular files are read
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(mode):
                kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
                return ReadResult(problems=[Problem(path, 1, 1, "", f"cannot read: {kind}")])
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return ReadResult(
            problems=[Problem(path, 1, 1, "", f"cannot read file: {exc.strerror or exc}")]
        )
    if len(raw) > MAX_FILE_BYTES:
        return ReadResult(
            problems=[
                Problem(path, 1, 1, "", f"file too large (the limit is {MAX_FILE_BYTES} bytes)")
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ReadResult(
            problems=[Problem(path, 1, 1, "", f"not UTF-8 text (byte {exc.start + 1})")]
        )
    return read_text(text, path, fast=fast)
