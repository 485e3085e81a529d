import numpy as np
import pytest

from ocrlib.decoders.bk_tree import BKTree
from ocrlib.metrics import edit_distance


def random_words(count: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("abcd"), size=rng.integers(1, 7))) for _ in range(count)]


@pytest.mark.parametrize("tolerance", [0, 1, 2, 3])
def test_bk_tree_finds_exactly_the_words_within_tolerance(tolerance):
    words = random_words(300)
    tree = BKTree(words)
    for query in random_words(20, seed=1):
        expected = {word for word in words if edit_distance(query, word) <= tolerance}
        assert set(tree.query(query, tolerance)) == expected


def test_bk_tree_lists_nearest_words_first_then_alphabetically():
    tree = BKTree(["world", "help", "hello", "heal", "hell"])
    assert tree.query("helo", 2) == ["hell", "hello", "help", "heal"]


def test_bk_tree_keeps_each_word_once():
    tree = BKTree(["cat", "car", "cat", ""])
    assert len(tree) == 3
    assert sorted(tree) == ["", "car", "cat"]
    assert tree.query("cat", 0) == ["cat"]


def test_empty_bk_tree_finds_nothing():
    assert BKTree().query("cat", 5) == []
    assert len(BKTree()) == 0


def test_bk_tree_rejects_a_negative_tolerance():
    with pytest.raises(ValueError, match="tolerance must be >= 0, got -1"):
        BKTree(["cat"]).query("cat", -1)
