"""Characters <-> class indices. Blank is index 0; character ``chars[i]`` is index ``i + 1``."""
from __future__ import annotations

from collections.abc import Iterable

from ocrlib.errors import UnknownCharacterError

BLANK = 0


class Alphabet:
    """An ordered set of characters plus the CTC blank at index 0.

    >>> a = Alphabet("abc")
    >>> a.encode("cab"), a.decode([3, 0, 1, 2]), a.num_classes
    ([3, 1, 2], 'cab', 4)
    """

    def __init__(self, chars: str):
        duplicates = sorted({c for c in chars if chars.count(c) > 1})
        if duplicates:
            raise ValueError(f"alphabet has duplicate characters: {''.join(duplicates)!r}")
        self.chars = chars
        self._index = {c: i + 1 for i, c in enumerate(chars)}

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Alphabet:
        """The sorted set of characters that occur in ``texts``."""
        return cls("".join(sorted(set("".join(texts)))))

    @property
    def num_classes(self) -> int:
        """Output width of the model: blank + one class per character."""
        return len(self.chars) + 1

    def encode(self, text: str) -> list[int]:
        """Class indices of ``text`` (each >= 1); raises ``UnknownCharacterError`` naming the character."""
        try:
            return [self._index[c] for c in text]
        except KeyError as error:
            raise UnknownCharacterError(
                f"character {error.args[0]!r} in {text!r} is not in the alphabet {self.chars!r}"
            ) from None

    def decode(self, indices: Iterable[int]) -> str:
        """Text of class indices, blanks (0) dropped. No CTC collapsing: see ``ocrlib.decoders``."""
        indices = list(indices)
        bad = [i for i in indices if not 0 <= i <= len(self.chars)]
        if bad:
            raise ValueError(f"class index {bad[0]} is outside 0..{len(self.chars)} (blank + {self.chars!r})")
        return "".join(self.chars[i - 1] for i in indices if i != BLANK)

    def __len__(self) -> int:
        return len(self.chars)

    def __iter__(self):
        return iter(self.chars)

    def __contains__(self, char: str) -> bool:
        return char in self._index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Alphabet) and other.chars == self.chars

    def __hash__(self) -> int:
        return hash(self.chars)

    def __repr__(self) -> str:
        return f"Alphabet({self.chars!r})"


def as_alphabet(chars: str | Alphabet) -> Alphabet:
    """Accept a string or an ``Alphabet`` wherever characters are expected."""
    return chars if isinstance(chars, Alphabet) else Alphabet(chars)
