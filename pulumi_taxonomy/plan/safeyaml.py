"""YAML within bounds: PyYAML's safe loader with limits a hostile file cannot get past.

A 1.5 KB file of nested aliases expands to billions of nodes once validated, and deep
nesting exhausts the stack. The loader here counts while it reads the parser's events,
before anything is built: the nodes written, the nodes aliases add (each alias counted
at the full size of what it names), and the nesting depth, through aliases too; and it
refuses duplicate mapping keys (YAML forbids them; PyYAML silently keeps the last one),
recursive aliases and anchors defined twice. Each refusal is a `LimitExceeded` carrying
the mark (line) of the node at fault.

Plain plans are built straight from the events, in one loop; anything else (merge keys,
tags) goes through PyYAML's own composer and constructor, within the same limits.
libyaml's parser is used when PyYAML was built with it, never libyaml's composer: it
recurses in C without a depth limit (100,000 nested brackets crash the process).
Line numbers are looked up afterwards, for the problems found only (`lines`).
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
    StreamEndEvent,
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
_NOT_A_KEY = object()


class LimitExceeded(ComposerError):
    """A file the plan loader refuses to compose; `problem_mark` is where."""


class _NodesNeeded(Exception):
    """Data PyYAML's own constructor must build (from nodes): compose again, with them."""


class _Loader(_SafeLoader):
    """PyYAML's safe loader whose composer counts as it goes (see the module's docstring).

    Two ways through a document, with the same counts and refusals: `data` builds the
    Python data straight from the events, without nodes, for the plain YAML plans are
    made of (string keys; strings, numbers, booleans, dates; lists; mappings), in one loop
    with no recursion; anything else (merge keys, tags...) raises `_NodesNeeded`. `nodes`
    composes PyYAML's node tree, for PyYAML's own constructor.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.anchors: dict[str, Node] = {}
        self.yaml_path_resolvers = {}  # the composer tracks no paths (the safe schema has none)
        self._nodes = 0
        """Nodes so far, aliases counted at their full size."""
        self._aliased = 0
        """What aliases added to `_nodes`."""
        self._depth = 0
        self._reach = 0
        """The deepest level reached inside the collection being composed."""
        self._open: set[str] = set()
        """Anchors seen so far, finished or not."""
        self._anchored: dict[str, tuple[int, int, Any]] = {}
        """By finished anchor: the expanded node count and nesting height of what it names,
        and its data (its node, composing nodes)."""
        self._tags: dict[str, str] = {}
        """By plain scalar: its tag."""
        self._scalars: dict[tuple[str, str], Any] = {}

    # -- the counts and refusals both ways share -------------------------------------------

    def _tag(self, event: Any) -> str:
        tag: str | None = event.tag
        if tag is None or tag == "!":
            if not event.implicit[0]:
                return STR  # quoted: what the resolver answers for it, without asking
            # The safe schema's implicit resolvers, memoized: plans repeat the same few words.
            tag = self._tags.get(event.value)
            if tag is None:
                tag = self._tags[event.value] = self.resolve(ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
        return tag

    def _count(self, event: Any) -> int:
        """A node starts: count it (and its anchor); the count before it."""
        anchor = event.anchor
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
        return start

    def _enter(self, event: Any) -> int:
        """A collection starts one level deeper; the reach outside it, to restore on `_leave`."""
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise LimitExceeded(
                None, None, f"the plan nests deeper than {MAX_DEPTH} levels", event.start_mark
            )
        outer, self._reach = self._reach, self._depth
        return outer

    def _leave(self, anchor: str | None, start: int, outer: int, made: Any) -> None:
        if anchor is not None:
            self._anchored[anchor] = (self._nodes - start, self._reach - self._depth + 1, made)
        self._depth -= 1
        self._reach = max(outer, self._reach)

    def _alias(self, event: Any) -> Any:
        """What the alias names (as made: the same object, as PyYAML's constructor shares it)."""
        anchor = event.anchor
        if anchor not in self._open:
            raise LimitExceeded(None, None, f"the alias *{anchor} refers to no anchor", event.start_mark)
        anchored = self._anchored.get(anchor)
        if anchored is None:
            raise LimitExceeded(
                None, None, f"the alias *{anchor} is inside the node it refers to", event.start_mark
            )
        nodes, height, made = anchored
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
        return made

    @staticmethod
    def _twice(key: str, mark: Any) -> LimitExceeded:
        return LimitExceeded(
            None,
            None,
            f"the key {key!r} appears twice in this mapping (the second would replace the first)",
            mark,
        )

    # -- data, straight from the events ------------------------------------------------------

    def data(self) -> Any:
        """The document's Python data (None when the stream is empty)."""
        self.get_event()  # STREAM-START
        if self.check_event(StreamEndEvent):
            return None
        self.get_event()  # DOCUMENT-START
        value = self._data(self.get_event())
        self.get_event()  # DOCUMENT-END
        if not self.check_event(StreamEndEvent):
            event: Any = self.get_event()
            raise ComposerError(
                "expected a single document in the stream",
                None,
                "but found another document",
                event.start_mark,
            )
        return value

    def _data(self, event: Any) -> Any:
        # One loop over the events, a frame per open collection: [the list or dict, is a
        # mapping, the key read (or _NOT_A_KEY), the anchor, the count before it, the
        # reach outside it].
        frames: list[list[Any]] = []
        next_event = self.get_event
        tags = self._tags
        while True:
            kind = type(event)
            if kind is ScalarEvent:
                anchor = event.anchor
                if anchor is None and self._nodes - self._aliased < MAX_NODES:
                    self._nodes += 1  # what `_count` does, inline: most of a plan is scalars
                else:
                    self._count(event)
                value = event.value
                tag = event.tag
                if tag is None or tag == "!":
                    # Only plain scalars are resolved (`1`, `true`...); quoted ones are strings.
                    tag = (tags.get(value) or self._tag(event)) if event.implicit[0] else STR
                if tag != STR:
                    value = self._constant(tag, value)
                if anchor is not None:
                    self._anchored[anchor] = (1, 0, value)
            elif kind is AliasEvent:
                value = self._alias(event)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.tag not in (None, "!", MAP if kind is MappingStartEvent else SEQ):
                    raise _NodesNeeded
                start = self._count(event)
                outer = self._enter(event)
                mapping = kind is MappingStartEvent
                frames.append([{} if mapping else [], mapping, _NOT_A_KEY, event.anchor, start, outer])
                event = next_event()
                continue
            else:  # the end of the innermost collection
                frame = frames.pop()
                value = frame[0]
                self._leave(frame[3], frame[4], frame[5], value)
            if not frames:
                return value
            parent = frames[-1]
            if not parent[1]:
                parent[0].append(value)
            elif parent[2] is _NOT_A_KEY:  # a key
                if kind is not ScalarEvent or tag != STR:
                    raise _NodesNeeded  # merge keys, keys that are not strings
                if value in parent[0]:  # each key's value is in before the next key is read
                    raise self._twice(value, event.start_mark)
                parent[2] = value
            else:
                parent[0][parent[2]] = value
                parent[2] = _NOT_A_KEY
            event = next_event()

    def _constant(self, tag: str, text: str) -> Any:
        """A number, boolean, null or date: one object per spelling (a million `1`s cost one)."""
        value = self._scalars.get((tag, text), _NOT_A_KEY)
        if value is _NOT_A_KEY:
            construct = self.yaml_constructors.get(tag) if tag in IMMUTABLE else None
            if construct is None:
                raise _NodesNeeded  # a tag PyYAML's constructor must handle (or name)
            value = self._scalars[(tag, text)] = construct(self, ScalarNode(tag, text))
        return value

    # -- PyYAML's node tree --------------------------------------------------------------------

    def get_single_node(self) -> Node | None:
        # PyYAML's own composer in Python (over libyaml's events when there is libyaml).
        return Composer.get_single_node(cast(Composer, self))

    def compose_document(self) -> Node | None:
        self.get_event()  # DOCUMENT-START
        node = self.compose_node(None, None)
        self.get_event()  # DOCUMENT-END
        self.anchors = {}
        return node

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event: Any = self.get_event()
        kind = type(event)  # compared, not narrowed: libyaml's marks are typed apart
        if kind is AliasEvent:
            made: Node = self._alias(event)
            return made
        start = self._count(event)
        if kind is ScalarEvent:
            node: Node = ScalarNode(
                self._tag(event), event.value, event.start_mark, event.end_mark, style=event.style
            )
            if event.anchor is not None:
                self._anchored[event.anchor] = (1, 0, node)
            return node
        outer = self._enter(event)
        if kind is SequenceStartEvent:
            tag = SEQ if event.tag in (None, "!") else event.tag
            node = SequenceNode(tag, [], event.start_mark, None, event.flow_style)
            while not self.check_event(SequenceEndEvent):
                node.value.append(self.compose_node(node, None))
        else:
            tag = MAP if event.tag in (None, "!") else event.tag
            node = MappingNode(tag, [], event.start_mark, None, event.flow_style)
            keys: set[tuple[str, str]] = set()
            while not self.check_event(MappingEndEvent):
                key = self.compose_node(node, None)
                if type(key) is ScalarNode:
                    if (key.tag, key.value) in keys:
                        raise self._twice(key.value, key.start_mark)
                    keys.add((key.tag, key.value))
                node.value.append((key, self.compose_node(node, key)))
        end: Any = self.get_event()
        node.end_mark = end.end_mark
        self._leave(event.anchor, start, outer, node)
        return node


def load(text: str) -> Any:
    """The Python data of `text` (aliases stay shared objects), None for an empty
    document; raises `yaml.YAMLError` (`LimitExceeded` past a limit)."""
    loader = _Loader(text)
    try:
        return loader.data()
    except _NodesNeeded:
        pass  # merge keys, tags...: PyYAML's constructor builds it, from nodes
    finally:
        loader.dispose()
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def compose(text: str) -> Node | None:
    """The node tree of `text` (None for an empty document), within the same limits."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
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
                    if frame[2] is _NOT_A_KEY:  # this is a key
                        frame[2] = event.value if kind is ScalarEvent else None
                        path = None
                    else:
                        path = (
                            (*frame[0], frame[2]) if frame[0] is not None and frame[2] is not None else None
                        )
                        frame[2] = _NOT_A_KEY
                else:
                    path = (*frame[0], frame[2]) if frame[0] is not None else None
                    frame[2] += 1
            if path is not None and path in wanted and path not in found:
                found[path] = event.start_mark.line + 1
                if len(found) == len(wanted):
                    break  # in document order: nothing further is wanted
            if kind is MappingStartEvent:
                frames.append([path if path in wanted else None, True, _NOT_A_KEY])
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
