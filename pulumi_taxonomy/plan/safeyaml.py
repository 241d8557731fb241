"""YAML within bounds: PyYAML's safe loader with limits a hostile file cannot get past.

A 1.5 KB file of nested aliases expands to billions of nodes once validated, and deep
nesting exhausts the stack. The composer here counts while it composes, before
anything is constructed: every node, with an alias counted at the full size of what
it refers to; the nesting depth, through aliases too; and it refuses duplicate mapping
keys (YAML forbids them; PyYAML silently keeps the last one), recursive aliases and
anchors defined twice. Each refusal is a `LimitExceeded` carrying the mark (line) of
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
from yaml.events import AliasEvent, MappingEndEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml: the same rules, parsed in Python
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "LimitExceeded", "paused_gc", "read"]

MAX_BYTES = 64 * 1024 * 1024
"""A plan file's size limit (a 10,000-event plan with five properties each is about 4 MB)."""
MAX_NODES = 2_000_000
"""YAML nodes in a plan once aliases are expanded (that 10,000-event plan has about 450,000)."""
MAX_DEPTH = 64
"""Nesting of mappings and sequences (a plan needs 5, plus 2 per level of nested properties)."""

STR = "tag:yaml.org,2002:str"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
_NOT_PLAIN = object()
"""A value the composer leaves to PyYAML's constructor (merge keys, !!set, unknown tags...)."""


class LimitExceeded(ComposerError):
    """A file the plan loader refuses to compose; `problem_mark` is where."""


class _Loader(_SafeLoader):
    """PyYAML's safe loader whose composer counts as it goes (see the module's docstring).

    It also builds the Python data on the way, for the plain YAML plans are made of
    (strings, numbers, lists, mappings): one pass instead of two. Anything else is left to
    PyYAML's own constructor, over the whole document.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.anchors: dict[str, Node] = {}
        self.yaml_path_resolvers = {}  # the composer tracks no paths (the safe schema has none)
        self._nodes = 0
        self._depth = 0
        self._reach = 0
        self._anchored: dict[str, tuple[int, int, Any]] = {}
        """By anchor: the expanded node count and nesting height of what it names, and its data."""
        self._tags: dict[tuple[str, tuple[bool, bool]], str] = {}
        self._data: Any = None

    def get_single_node(self) -> Node | None:
        # PyYAML's own composer in Python (over libyaml's events when there is libyaml).
        return Composer.get_single_node(cast(Composer, self))

    def compose_document(self) -> Node | None:
        self.get_event()  # DOCUMENT-START
        node, self._data = self._compose()
        self.get_event()  # DOCUMENT-END
        self.anchors = {}
        return node

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        return self._compose()[0]

    def _scalar_tag(self, value: str, implicit: tuple[bool, bool]) -> str:
        # The safe schema's implicit resolvers, memoized: plans repeat the same few words.
        key = (value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = self.resolve(ScalarNode, value, implicit)  # type: ignore[no-untyped-call]
        return tag

    def _compose(self) -> tuple[Node, Any]:
        """The next node, and its data (or `_NOT_PLAIN`)."""
        event: Any = self.get_event()
        anchor = event.anchor
        kind = type(event)  # compared, not narrowed: libyaml's marks are typed apart
        if kind is AliasEvent:
            return self._alias(event)
        if anchor is not None and anchor in self.anchors:
            raise LimitExceeded(None, None, f"the anchor &{anchor} is defined twice", event.start_mark)
        start = self._nodes
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise LimitExceeded(
                None, None, f"the plan has more than {MAX_NODES:,} YAML nodes", event.start_mark
            )
        if kind is ScalarEvent:
            return self._scalar(event)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise LimitExceeded(
                None, None, f"the plan nests deeper than {MAX_DEPTH} levels", event.start_mark
            )
        outer_reach, self._reach = self._reach, self._depth
        node, value = self._sequence(event) if kind is SequenceStartEvent else self._mapping(event)
        end: Any = self.get_event()
        node.end_mark = end.end_mark
        if anchor is not None:
            self._anchored[anchor] = (self._nodes - start, self._reach - self._depth + 1, value)
        self._depth -= 1
        self._reach = max(outer_reach, self._reach)
        return node, value

    def _scalar(self, event: Any) -> tuple[Node, Any]:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._scalar_tag(event.value, event.implicit)
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        if tag == STR:
            value = event.value
        else:
            construct = self.yaml_constructors.get(tag)
            value = construct(self, node) if construct is not None else _NOT_PLAIN
        if event.anchor is not None:
            self.anchors[event.anchor] = node
            self._anchored[event.anchor] = (1, 0, value)
        return node, value

    def _sequence(self, event: Any) -> tuple[Node, Any]:
        tag = SEQ if event.tag is None or event.tag == "!" else event.tag
        node = SequenceNode(tag, [], event.start_mark, None, event.flow_style)
        if event.anchor is not None:
            self.anchors[event.anchor] = node
        items = node.value
        values: list[Any] = []
        plain = tag == SEQ
        while not self.check_event(SequenceEndEvent):
            item, value = self._compose()
            items.append(item)
            values.append(value)
            plain = plain and value is not _NOT_PLAIN
        return node, values if plain else _NOT_PLAIN

    def _mapping(self, event: Any) -> tuple[Node, Any]:
        tag = MAP if event.tag is None or event.tag == "!" else event.tag
        node = MappingNode(tag, [], event.start_mark, None, event.flow_style)
        if event.anchor is not None:
            self.anchors[event.anchor] = node
        pairs = node.value
        values: dict[Any, Any] = {}
        plain = tag == MAP
        keys: set[tuple[str, str]] = set()
        while not self.check_event(MappingEndEvent):
            key, key_value = self._compose()
            if type(key) is ScalarNode:
                seen = (key.tag, key.value)
                if seen in keys:
                    raise LimitExceeded(
                        None,
                        None,
                        f"the key {key.value!r} appears twice in this mapping "
                        "(the second would replace the first)",
                        key.start_mark,
                    )
                keys.add(seen)
            item, value = self._compose()
            pairs.append((key, item))
            if plain and key.tag == STR and value is not _NOT_PLAIN:
                values[key_value] = value
            else:
                plain = False  # a merge key, a key that is not a string, or tagged data
        return node, values if plain else _NOT_PLAIN

    def _alias(self, event: Any) -> tuple[Node, Any]:
        anchor = event.anchor
        node: Node | None = self.anchors.get(anchor)
        if node is None:
            raise LimitExceeded(None, None, f"the alias *{anchor} refers to no anchor", event.start_mark)
        anchored = self._anchored.get(anchor)
        if anchored is None:
            raise LimitExceeded(
                None, None, f"the alias *{anchor} is inside the node it refers to", event.start_mark
            )
        nodes, height, value = anchored
        self._nodes += nodes
        if self._nodes > MAX_NODES:
            raise LimitExceeded(
                None,
                None,
                f"the alias *{anchor} expands the plan past {MAX_NODES:,} YAML nodes",
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
        return node, value  # the same object, as PyYAML's constructor shares it


def read(text: str) -> tuple[Node | None, Any]:
    """The node tree of `text`, for line numbers, and its Python data (aliases stay
    shared objects); (None, None) for an empty document. Raises `yaml.YAMLError`."""
    loader = _Loader(text)
    try:
        node: Node | None = loader.get_single_node()
        if node is None:
            return None, None
        data = loader._data
        return node, loader.construct_document(node) if data is _NOT_PLAIN else data
    finally:
        loader.dispose()


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
