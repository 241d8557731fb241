"""YAML within bounds: PyYAML's safe loader with limits a hostile file cannot get past.

A 1.5 KB file of nested aliases expands to billions of nodes once validated, and deep
nesting exhausts the stack. The composer here counts while it composes, before
anything is constructed: the nodes written, the nodes aliases add (each alias counted at
the full size of what it names), and the nesting depth, through aliases too; and it
refuses duplicate mapping keys (YAML forbids them; PyYAML silently keeps the last one),
recursive aliases and anchors defined twice. Each refusal is a `LimitExceeded` carrying the mark (line) of
the node at fault.

libyaml's parser is used when PyYAML was built with it; composition always happens
here, in Python, because libyaml's own composer recurses in C without a depth limit.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from yaml.composer import Composer, ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml: the same rules, parsed in Python
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "LimitExceeded",
    "compose",
    "load",
    "paused_gc",
]

MAX_BYTES = 64 * 1024 * 1024
"""A plan file's size limit (a 10,000-event plan with five properties each is about 4 MB)."""
MAX_NODES = 1_000_000
"""YAML nodes written in a plan file (that 10,000-event plan has about 510,000; the
vendors hold far fewer events than that)."""
MAX_ALIAS_NODES = 500_000
"""YAML nodes aliases may add, each alias counted at the full size of what it names: enough
for `properties: *common` on 10,000 events; an alias bomb adds billions."""
MAX_DEPTH = 64
"""Nesting of mappings and sequences (a plan needs 5, plus 2 per level of nested properties)."""

STR = "tag:yaml.org,2002:str"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
IMMUTABLE = frozenset(f"tag:yaml.org,2002:{kind}" for kind in ("null", "bool", "int", "float", "timestamp"))
"""Scalars the safe schema builds as immutable objects."""
_NOT_PLAIN = object()
"""A value the composer leaves to PyYAML's constructor (merge keys, !!set, unknown tags...)."""


class LimitExceeded(ComposerError):
    """A file the plan loader refuses to compose; `problem_mark` is where."""


class _NodesNeeded(Exception):
    """Data PyYAML's own constructor must build (from nodes): compose again, with them."""


class _Loader(_SafeLoader):
    """PyYAML's safe loader whose composer counts as it goes (see the module's docstring).

    It builds the Python data on the way for the plain YAML plans are made of (strings,
    numbers, lists, mappings): one pass instead of two. Nodes, which only line numbers
    and PyYAML's constructor need, are made with `with_nodes` alone.
    """

    def __init__(self, stream: str, with_nodes: bool) -> None:
        super().__init__(stream)
        self.with_nodes = with_nodes
        self.anchors: dict[str, Node] = {}
        self.yaml_path_resolvers = {}  # the composer tracks no paths (the safe schema has none)
        self._nodes = 0
        """Nodes so far, aliases counted at their full size."""
        self._aliased = 0
        """What aliases added to `_nodes`."""
        self._depth = 0
        self._reach = 0
        self._open: set[str] = set()
        """Anchors seen so far, finished or not."""
        self._anchored: dict[str, tuple[int, int, Any]] = {}
        """By finished anchor: the expanded node count and nesting height of what it names, and its data."""
        self._tags: dict[tuple[str, tuple[bool, bool]], str] = {}
        self._scalars: dict[tuple[str, str], Any] = {}
        self.data: Any = None

    def get_single_node(self) -> Node | None:
        # PyYAML's own composer in Python (over libyaml's events when there is libyaml).
        return Composer.get_single_node(cast(Composer, self))

    def compose_document(self) -> Node | None:
        self.get_event()  # DOCUMENT-START
        node, self.data = self._compose()
        self.get_event()  # DOCUMENT-END
        self.anchors = {}
        return node

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        return self._compose()[0]

    def _scalar_tag(self, value: str, implicit: tuple[bool, bool]) -> str:
        # The safe schema's implicit resolvers, memoized: plans repeat the same few words.
        key = (value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = self.resolve(ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
        return tag

    def _compose(self) -> tuple[Node | None, Any]:
        """The next node (None without `with_nodes`), and its data (or `_NOT_PLAIN`)."""
        event: Any = self.get_event()
        anchor = event.anchor
        kind = type(event)  # compared, not narrowed: libyaml's marks are typed apart
        if kind is AliasEvent:
            return self._alias(event)
        if anchor is not None:
            if anchor in self._open:
                raise LimitExceeded(None, None, f"the anchor &{anchor} is defined twice", event.start_mark)
            self._open.add(anchor)
        start = self._nodes
        self._nodes += 1
        if self._nodes - self._aliased > MAX_NODES:
            raise LimitExceeded(
                None, None, f"the plan has more than {MAX_NODES:,} YAML nodes", event.start_mark
            )
        if kind is ScalarEvent:
            if anchor is None and not self.with_nodes:  # most of a plan: a plain string
                tag = event.tag
                if tag is None or tag == "!":
                    tag = self._tags.get((event.value, event.implicit)) or self._scalar_tag(
                        event.value, event.implicit
                    )
                if tag == STR:
                    return None, event.value
                known = self._scalars.get((tag, event.value), _NOT_PLAIN)
                if known is not _NOT_PLAIN:
                    return None, known
            node, value = self._scalar(event)
            if anchor is not None:
                self._anchor(anchor, node, (1, 0, value))
            return node, value
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise LimitExceeded(
                None, None, f"the plan nests deeper than {MAX_DEPTH} levels", event.start_mark
            )
        outer_reach, self._reach = self._reach, self._depth
        node, value = self._sequence(event) if kind is SequenceStartEvent else self._mapping(event)
        end: Any = self.get_event()
        if node is not None:
            node.end_mark = end.end_mark
        if anchor is not None:
            self._anchored[anchor] = (self._nodes - start, self._reach - self._depth + 1, value)
        self._depth -= 1
        self._reach = max(outer_reach, self._reach)
        return node, value

    def _anchor(self, anchor: str, node: Node | None, anchored: tuple[int, int, Any] | None = None) -> None:
        if node is not None:
            self.anchors[anchor] = node
        if anchored is not None:
            self._anchored[anchor] = anchored

    def _scalar(self, event: Any) -> tuple[Node | None, Any]:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._scalar_tag(event.value, event.implicit)
        if not self.with_nodes:
            if tag == STR:
                return None, event.value
            known = self._scalars.get((tag, event.value), _NOT_PLAIN)
            if known is not _NOT_PLAIN:
                return None, known
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        if tag == STR:
            return node, event.value
        construct = self.yaml_constructors.get(tag)
        if construct is None:  # an unknown tag: PyYAML's constructor names it
            return self._not_plain(node)
        value = construct(self, node)
        if not self.with_nodes and tag in IMMUTABLE:
            # One object per spelling is as good as many: a million `1`s cost one.
            self._scalars[(tag, event.value)] = value
            return None, value
        return node, value

    def _not_plain(self, node: Node | None) -> tuple[Node | None, Any]:
        if not self.with_nodes:
            raise _NodesNeeded
        return node, _NOT_PLAIN

    def _sequence(self, event: Any) -> tuple[Node | None, Any]:
        tag = SEQ if event.tag is None or event.tag == "!" else event.tag
        node = SequenceNode(tag, [], event.start_mark, None, event.flow_style) if self.with_nodes else None
        if event.anchor is not None:
            self._anchor(event.anchor, node)
        items = node.value if node is not None else None
        values: list[Any] = []
        plain = tag == SEQ
        while not self.check_event(SequenceEndEvent):
            item, value = self._compose()
            if items is not None:
                items.append(item)
            values.append(value)
            plain = plain and value is not _NOT_PLAIN
        return (node, values) if plain else self._not_plain(node)

    def _mapping(self, event: Any) -> tuple[Node | None, Any]:
        tag = MAP if event.tag is None or event.tag == "!" else event.tag
        node = MappingNode(tag, [], event.start_mark, None, event.flow_style) if self.with_nodes else None
        if event.anchor is not None:
            self._anchor(event.anchor, node)
        pairs = node.value if node is not None else None
        values: dict[Any, Any] = {}
        plain = tag == MAP
        keys: set[tuple[str, str]] = set()
        while not self.check_event(MappingEndEvent):
            upcoming: Any = self.peek_event()
            mark = upcoming.start_mark
            key, key_value = self._compose()
            # What the key is, as written (a plain string has no node without `with_nodes`);
            # None for a collection as a key.
            written: tuple[str, str] | None = None
            if key is None:
                written = (STR, key_value) if isinstance(key_value, str) else None
            elif type(key) is ScalarNode:
                written = (key.tag, key.value)
            if written is not None:
                if written in keys:
                    raise LimitExceeded(
                        None,
                        None,
                        f"the key {written[1]!r} appears twice in this mapping "
                        "(the second would replace the first)",
                        mark,
                    )
                keys.add(written)
            item, value = self._compose()
            if pairs is not None:
                pairs.append((key, item))
            if plain and written is not None and written[0] == STR and value is not _NOT_PLAIN:
                values[key_value] = value
            else:
                plain = False  # a merge key, a key that is not a string, or tagged data
        return (node, values) if plain else self._not_plain(node)

    def _alias(self, event: Any) -> tuple[Node | None, Any]:
        anchor = event.anchor
        if anchor not in self._open:
            raise LimitExceeded(None, None, f"the alias *{anchor} refers to no anchor", event.start_mark)
        anchored = self._anchored.get(anchor)
        if anchored is None:
            raise LimitExceeded(
                None, None, f"the alias *{anchor} is inside the node it refers to", event.start_mark
            )
        nodes, height, value = anchored
        self._nodes += nodes
        self._aliased += nodes
        if self._aliased > MAX_ALIAS_NODES:
            raise LimitExceeded(
                None,
                None,
                f"the alias *{anchor} makes aliases add more than {MAX_ALIAS_NODES:,} YAML nodes to the plan",
                event.start_mark,
            )
        if self._depth + height > MAX_DEPTH:
            raise LimitExceeded(
                None,
                None,
                f"the alias *{anchor} nests the plan deeper than {MAX_DEPTH} levels",
                event.start_mark,
            )
        self._reach = max(self._reach, self._depth + height)
        # The same object, as PyYAML's constructor shares it.
        return self.anchors.get(anchor), value


def load(text: str) -> Any:
    """The Python data of `text` (aliases stay shared objects), None for an empty
    document; raises `yaml.YAMLError` (`LimitExceeded` past a limit)."""
    loader = _Loader(text, with_nodes=False)
    try:
        loader.get_single_node()
        return loader.data
    except _NodesNeeded:
        pass  # merge keys, tags...: PyYAML's constructor builds it, from nodes
    finally:
        loader.dispose()
    node = compose(text)
    return _constructed(node)


def compose(text: str) -> Node | None:
    """The node tree of `text`, for line numbers (None for an empty document)."""
    loader = _Loader(text, with_nodes=True)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _constructed(node: Node | None) -> Any:
    if node is None:
        return None
    loader = _Loader("", with_nodes=True)
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


Path = tuple[int | str, ...]
"""Where in the document: mapping keys (as written) and sequence indexes."""


def lines(text: str, paths: list[Path]) -> list[int | None]:
    """The line (1-based) of the deepest node each path reaches in `text`, streamed
    through the parser's events: no node tree, however big the file (an alias is as deep
    as a path gets). For a text that `load` has taken: no limits are checked again."""
    wanted = {path[:n] for path in paths for n in range(len(path) + 1)}
    found: dict[Path, int] = {}
    frames: list[list[Any]] = []
    """Per open collection: its path (None where no path is wanted), whether it is a
    mapping, and the key just read (mappings) or the next index (sequences)."""
    loader = _SafeLoader(text)
    try:
        while loader.check_event():
            event: Any = loader.get_event()
            kind = type(event)
            if kind in (MappingEndEvent, SequenceEndEvent):
                frames.pop()
                continue
            if kind not in (ScalarEvent, AliasEvent, SequenceStartEvent, MappingStartEvent):
                continue  # stream and document boundaries
            path: Path | None = ()
            if frames:
                frame = frames[-1]
                if frame[1]:  # a mapping: keys and values alternate
                    if frame[2] is _NOT_PLAIN:  # this is a key
                        frame[2] = event.value if kind is ScalarEvent else None
                        path = None
                    else:
                        path = (
                            (*frame[0], frame[2]) if frame[0] is not None and frame[2] is not None else None
                        )
                        frame[2] = _NOT_PLAIN
                else:
                    path = (*frame[0], frame[2]) if frame[0] is not None else None
                    frame[2] += 1
            if path is not None and path in wanted and path not in found:
                found[path] = event.start_mark.line + 1
                if len(found) == len(wanted):
                    break  # in document order: nothing further is wanted
            if kind is MappingStartEvent:
                frames.append([path if path in wanted else None, True, _NOT_PLAIN])
            elif kind is SequenceStartEvent:
                frames.append([path if path in wanted else None, False, 0])
    finally:
        loader.dispose()
    out: list[int | None] = []
    for path in paths:
        reached = next((path[:n] for n in range(len(path), -1, -1) if path[:n] in found), None)
        out.append(found[reached] if reached is not None else None)
    return out


@contextmanager
def paused_gc() -> Iterator[None]:
    """Big plans build a million objects that all stay alive: the cyclic collector would
    walk them again and again (half the time of loading a 10,000-event plan)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
