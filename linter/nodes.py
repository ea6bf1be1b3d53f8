"""Position-keeping document trees.

Every parser (HCL, JSON, YAML) produces the same three node types, so rules and the
model never care which syntax a value came from, and every key and value carries the
exact span it occupies in its file. Lines and columns are 1-based; ``end_col`` is
exclusive (one past the last character), the SARIF convention.
"""

from __future__ import annotations

from typing import Any, Iterator, NamedTuple, Union

PathPart = Union[str, int]


class Span(NamedTuple):
    """A range in one file: 1-based lines and columns, end column exclusive.

    A named tuple, not a dataclass: every key and value of every document has one
    (millions in a large repository), and a tuple is a quarter of the memory and
    a third of the time to make (parsers make them with :func:`make_span`)."""

    line: int
    col: int
    end_line: int
    end_col: int

    @staticmethod
    def point(line: int, col: int) -> Span:
        return Span(line, col, line, col + 1)


_tuple_new = tuple.__new__


def make_span(line: int, col: int, end_line: int, end_col: int) -> Span:
    """``Span(line, col, end_line, end_col)`` without the named tuple's Python-level
    constructor (half the cost; for the parsers' hot loops)."""
    return _tuple_new(Span, (line, col, end_line, end_col))


def _slots_are_known() -> bool:
    """Whether nodes can be built without their constructors (the same attributes
    set directly, ~2x faster): true for the classes below as they are; a changed layout
    makes the parsers fall back to the constructors instead of breaking."""
    try:
        return (
            set(Scalar.__slots__) | set(Node.__slots__) == {"span", "path", "parent", "value", "quoted"}
            and set(Sequence.__slots__) | set(Node.__slots__) == {"span", "path", "parent", "items"}
            and set(Mapping.__slots__) | set(Node.__slots__) == {"span", "path", "parent", "entries", "_index"}
        )
    except Exception:  # pragma: no cover - a layout this module does not know
        return False


_FOLDED: dict[str, str] = {}  # fold_key results: keys and looked-up names repeat a lot


def fold_key(name: str) -> str:
    """The spelling-blind form of a key: ``PeerThroughMeshGateways``,
    ``peer_through_mesh_gateways`` and ``peerThroughMeshGateways`` all fold alike."""
    folded = _FOLDED.get(name)
    if folded is None:
        folded = name.replace("_", "").replace("-", "").lower()
        if type(name) is str and len(name) <= 128:
            if len(_FOLDED) >= 50_000:
                _FOLDED.clear()
            _FOLDED[name] = folded
    return folded


class Node:
    """A key, value or container in a parsed document."""

    __slots__ = ("span", "path", "parent")

    def __init__(self, span: Span) -> None:
        self.span = span
        self.path: tuple[PathPart, ...] = ()
        self.parent: Node | None = None

    def plain(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


class Scalar(Node):
    """A string, number, boolean or null. ``quoted`` tells strings from bare words."""

    __slots__ = ("value", "quoted")

    def __init__(self, value: Any, span: Span, quoted: bool = False) -> None:
        super().__init__(span)
        self.value = value
        self.quoted = quoted

    def plain(self) -> Any:
        return self.value

    def __repr__(self) -> str:
        return f"Scalar({self.value!r} @{self.span.line}:{self.span.col})"


class Sequence(Node):
    """A list. HCL repeated blocks also become a Sequence of Mappings."""

    __slots__ = ("items",)

    def __init__(self, items: list[Node], span: Span) -> None:
        super().__init__(span)
        self.items = items

    def plain(self) -> list:
        return [item.plain() for item in self.items]

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"Sequence(len={len(self.items)} @{self.span.line}:{self.span.col})"


class Mapping(Node):
    """An object. Keys are Scalar nodes so findings can point at a key itself.

    Entries keep source order and duplicates (what the file said); lookups by name
    fold spelling (see :func:`fold_key`) and return the last duplicate, which is the
    value Consul's decoders keep.
    """

    __slots__ = ("entries", "_index")

    def __init__(self, entries: list[tuple[Scalar, Node]], span: Span) -> None:
        super().__init__(span)
        self.entries = entries
        self._index: dict[str, int] | None = None

    def _lookup(self) -> dict[str, int]:
        if self._index is None:
            self._index = {}
            for i, (key, _value) in enumerate(self.entries):
                self._index[fold_key(str(key.value))] = i
        return self._index

    def entry(self, *names: str) -> tuple[Scalar, Node] | None:
        """The (key, value) pair for the first of ``names`` present, spelling-blind."""
        index = self._index if self._index is not None else self._lookup()
        for name in names:
            i = index.get(_FOLDED.get(name) or fold_key(name))
            if i is not None:
                return self.entries[i]
        return None

    def get(self, *names: str) -> Node | None:
        # entry() written out again: the most called method of a run (every rule and
        # the graph look values up by name), so one call frame less matters
        index = self._index if self._index is not None else self._lookup()
        for name in names:
            i = index.get(_FOLDED.get(name) or fold_key(name))
            if i is not None:
                return self.entries[i][1]
        return None

    def key(self, *names: str) -> Scalar | None:
        found = self.entry(*names)
        return found[0] if found else None

    def exact(self, name: str) -> Node | None:
        """The value under exactly this spelling (Consul reads ``Kind``/``kind`` so)."""
        for key, value in reversed(self.entries):
            if key.value == name:
                return value
        return None

    def value(self, *names: str, default: Any = None) -> Any:
        """The plain value (scalars only) under the first present name."""
        node = self.get(*names)
        if isinstance(node, Scalar):
            return node.value
        return default

    def keys(self) -> list[str]:
        return [str(k.value) for k, _ in self.entries]

    def items(self) -> Iterator[tuple[Scalar, Node]]:
        return iter(self.entries)

    def plain(self) -> dict:
        return {str(k.value): v.plain() for k, v in self.entries}

    def __contains__(self, name: str) -> bool:
        return fold_key(name) in self._lookup()

    def __repr__(self) -> str:
        return f"Mapping(keys={self.keys()} @{self.span.line}:{self.span.col})"


#: The parsers' hot loops build nodes directly when this holds (see _slots_are_known).
FAST_LAYOUT = _slots_are_known()
_object_new = object.__new__


def make_scalar(value: Any, span: Span, quoted: bool = False) -> Scalar:
    """``Scalar(value, span, quoted)`` without its two constructor frames when the
    layout allows (for the parsers)."""
    if not FAST_LAYOUT:
        return Scalar(value, span, quoted)
    node = _object_new(Scalar)
    node.value = value
    node.quoted = quoted
    node.span = span
    node.path = ()
    node.parent = None
    return node


def finish(root: Node) -> Node:
    """Fill in ``path`` and ``parent`` on every node below ``root`` (iteratively:
    documents may nest thousands of levels deep)."""
    stack: list[Node] = [root]
    while stack:  # trees never share nodes (YAML aliases are copied), so no visited set
        node = stack.pop()
        if isinstance(node, Mapping):
            for key, value in node.entries:
                key.path = node.path + (str(key.value),)
                key.parent = node
                value.path = key.path
                value.parent = node
                stack.append(value)
        elif isinstance(node, Sequence):
            for i, item in enumerate(node.items):
                item.path = node.path + (i,)
                item.parent = node
                stack.append(item)
    return root


def walk(root: Node) -> Iterator[Node]:
    """Every node below ``root``, keys included, in document order."""
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Mapping):
            for key, value in reversed(node.entries):
                stack.append(value)
                stack.append(key)
        elif isinstance(node, Sequence):
            stack.extend(reversed(node.items))


def as_list(node: Node | None) -> list[Node]:
    """A list of nodes for a value that may be one item or a list of them (HCL v1
    decodes a single block and a list of blocks alike; so does Consul's
    HookWeakDecodeFromSlice)."""
    if node is None:
        return []
    if isinstance(node, Sequence):
        return list(node.items)
    return [node]


def format_path(path: tuple[PathPart, ...]) -> str:
    """``Services[0].Consumers[1].Peer``, the form Consul's errors use."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def key_did_you_mean(word: str, choices: list[str]) -> str | None:
    """The intended key: same letters in another spelling first, then a near miss."""
    folded: dict[str, str] = {}
    for choice in choices:
        folded.setdefault(fold_key(choice), choice)
    key = fold_key(word)
    if key in folded:
        return folded[key]
    import difflib  # only when a key is unknown

    near = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.75)
    return folded[near[0]] if near else None
