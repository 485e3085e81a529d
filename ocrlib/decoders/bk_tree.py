"""A BK-tree (Burkhard and Keller 1973): find every word within a given edit distance without comparing to all."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from ocrlib.metrics import edit_distance


class BKTree:
    """Words indexed by Levenshtein distance.

    Each node keeps its children by their distance to it. By the triangle inequality, a word within
    ``tolerance`` of the query can only sit below a child whose distance d to the node satisfies
    ``|d - distance(query, node)| <= tolerance``; the other branches are skipped.

    >>> BKTree(["hello", "help", "world"]).query("helo", 1)
    ['hello', 'help']
    """

    def __init__(self, words: Iterable[str] = ()):
        self._root: _Node | None = None
        self._size = 0
        for word in words:
            self.add(word)

    def add(self, word: str) -> None:
        """Insert ``word``; a word already in the tree is ignored."""
        if self._root is None:
            self._root, self._size = _Node(word), 1
            return
        node = self._root
        while (distance := edit_distance(word, node.word)) > 0:
            if distance not in node.children:
                node.children[distance] = _Node(word)
                self._size += 1
                return
            node = node.children[distance]

    def query(self, word: str, tolerance: int) -> list[str]:
        """The words within ``tolerance`` edits of ``word``, nearest first (ties in alphabetical order)."""
        if tolerance < 0:
            raise ValueError(f"tolerance must be >= 0, got {tolerance!r}")
        found, pending = [], [self._root] if self._root else []
        while pending:
            node = pending.pop()
            distance = edit_distance(word, node.word)
            if distance <= tolerance:
                found.append((distance, node.word))
            pending.extend(child for d, child in node.children.items() if abs(d - distance) <= tolerance)
        return [match for _, match in sorted(found)]

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[str]:
        pending = [self._root] if self._root else []
        while pending:
            node = pending.pop()
            yield node.word
            pending.extend(node.children.values())


class _Node:
    def __init__(self, word: str):
        self.word = word
        self.children: dict[int, _Node] = {}
