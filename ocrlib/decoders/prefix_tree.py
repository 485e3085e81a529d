"""A prefix tree (trie) of words: which characters may follow a prefix, and which words it can still become."""
from __future__ import annotations

from collections.abc import Iterable


class PrefixTree:
    """The words of a dictionary, stored character by character.

    >>> tree = PrefixTree(["cat", "car", "cart"])
    >>> tree.next_chars("ca"), tree.is_word("car"), tree.words_with_prefix("car")
    ('tr', True, ['car', 'cart'])
    """

    def __init__(self, words: Iterable[str] = ()):
        self._root = _Node()
        for word in words:
            self.add(word)

    def add(self, word: str) -> None:
        """Insert ``word``; a word already in the tree is ignored."""
        if self.is_word(word):
            return
        node = self._root
        node.words.append(word)
        for char in word:
            node = node.children.setdefault(char, _Node())
            node.words.append(word)
        node.is_word = True

    def next_chars(self, prefix: str) -> str:
        """The characters that extend ``prefix`` towards some word, in insertion order ('' if none)."""
        node = self._find(prefix)
        return "".join(node.children) if node else ""

    def is_word(self, prefix: str) -> bool:
        """Whether ``prefix`` is itself a word of the tree."""
        node = self._find(prefix)
        return bool(node and node.is_word)

    def words_with_prefix(self, prefix: str) -> list[str]:
        """The words that start with ``prefix`` (``prefix`` itself included), in insertion order."""
        node = self._find(prefix)
        return list(node.words) if node else []

    def _find(self, prefix: str) -> _Node | None:
        node = self._root
        for char in prefix:
            node = node.children.get(char)
            if node is None:
                return None
        return node


class _Node:
    def __init__(self):
        self.children: dict[str, _Node] = {}
        self.words: list[str] = []  # every word below this node, so completions cost no tree walk
        self.is_word = False
