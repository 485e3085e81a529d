import itertools

import numpy as np
import pytest

from ocrlib.arithmetic import EquationError, check, evaluate, is_consistent, parse
from ocrlib.decoders import arithmetic_search, best_path, decode_batch


@pytest.mark.parametrize("text, value", [
    ("7", 7), ("1+2", 3), ("1-2", -1), ("2*3+4", 10), ("2+3*4", 14), ("(2+3)*4", 20),
    ("2*(3-4)", -2), ("9-8-7", -6), ("12*10", 120), ("((1))", 1),
])
def test_evaluate_follows_precedence_and_left_associativity(text, value):
    assert evaluate(text) == value


def test_every_competition_template_agrees_with_python_integer_arithmetic():
    # Python's own arithmetic on the same digits and operators, written out, not eval'd from text.
    apply = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y}
    precedence = {"+": 0, "-": 0, "*": 1}
    for a, b, c in [(3, 0, 7), (9, 9, 9), (1, 5, 2)]:
        for p, q in itertools.product("+-*", repeat=2):
            left_first = apply[q](apply[p](a, b), c)
            right_first = apply[p](a, apply[q](b, c))
            plain = left_first if precedence[p] >= precedence[q] else right_first
            assert evaluate(f"{a}{p}{b}{q}{c}") == plain
            assert evaluate(f"({a}{p}{b}){q}{c}") == left_first
            assert evaluate(f"{a}{p}({b}{q}{c})") == right_first


def test_parse_returns_the_value_and_the_written_result():
    assert parse("(1+2)*3=9") == (9, 9)
    assert parse("1-2*3=-5") == (-5, -5)
    assert parse("1+1") == (2, None)


def test_is_consistent_checks_the_result():
    assert is_consistent("(1+2)*3=9") and is_consistent("1-2*3=-5")
    assert not is_consistent("1-2*3=5") and not is_consistent("1+1")  # wrong result, no result
    assert not is_consistent("1+*2=3") and not is_consistent("")      # does not parse


@pytest.mark.parametrize("text, named", [
    ("", "position 0"), ("1+", "position 2, found the end"), ("(1+2", "')'"), ("1+2)", "position 3"),
    ("1/2", "division is not supported"), ("1^2", "'^'"), ("1+2=3=3", "position 5"), ("1=--3", "position 3"),
    ("1+x", "'x'"), ("1 + 2", "' '"),
])
def test_bad_text_raises_an_error_naming_the_position_and_character(text, named):
    with pytest.raises(EquationError, match=named.replace("(", r"\(").replace(")", r"\)").replace("^", r"\^")):
        parse(text)


def test_evaluate_refuses_an_equation():
    with pytest.raises(EquationError, match="without '='"):
        evaluate("1+1=2")


def test_text_is_never_executed():
    # Python would run this; the parser stops at the first character outside the grammar.
    with pytest.raises(EquationError, match="'_'"):
        parse("__import__('os').system('false')")


def test_check_returns_a_right_result_and_names_a_wrong_one():
    assert check("(1+2)*3=9") == 9
    with pytest.raises(EquationError, match="written result is 5, but the expression makes -5"):
        check("1-2*3=5")
    with pytest.raises(EquationError, match="expected '=' and a result"):
        check("1-2*3")


ALPHABET = "0123456789+-*()="


def _matrix(steps: list[dict[str, float]]) -> np.ndarray:
    """(T, 17) probabilities: each step's given characters, the rest of the mass on the blank."""
    probs = np.zeros((len(steps), len(ALPHABET) + 1))
    for t, step in enumerate(steps):
        for char, p in step.items():
            probs[t, ALPHABET.index(char) + 1] = p
        probs[t, 0] = 1 - sum(step.values())
    return probs


def _reads(text: str, last: dict[str, float]) -> np.ndarray:
    """A matrix that reads ``text`` one character every other step, then the characters of ``last``."""
    steps = []
    for char in text:
        steps += [{char: 0.98}, {}]
    return _matrix(steps + [last])


def test_checked_decoding_takes_the_most_probable_right_equation():
    probs = _reads("1+2=", {"4": 0.55, "3": 0.44})
    assert best_path(probs, ALPHABET) == "1+2=4"
    assert arithmetic_search(probs, ALPHABET) == "1+2=3"


def test_checked_decoding_keeps_the_best_reading_when_it_is_right():
    probs = _reads("1+2=", {"3": 0.55, "4": 0.44})
    assert arithmetic_search(probs, ALPHABET) == "1+2=3"


def test_without_a_right_candidate_the_best_reading_is_returned():
    probs = _reads("1+2=", {"7": 0.55, "8": 0.44})
    assert arithmetic_search(probs, ALPHABET) == best_path(probs, ALPHABET) == "1+2=7"


def test_an_expression_alone_must_only_parse():
    probs = _reads("1+", {"+": 0.55, "2": 0.44})  # "1++" does not parse, "1+2" does
    assert arithmetic_search(probs, ALPHABET, with_result=False) == "1+2"


def test_the_arithmetic_decoder_by_name_reads_the_right_equation_that_best_path_misses():
    probs = _reads("1+2=", {"4": 0.55, "3": 0.44})
    assert decode_batch(np.stack([probs, probs]), ALPHABET, "arithmetic") == ["1+2=3", "1+2=3"]
    assert decode_batch(probs[None], ALPHABET, "best_path") == ["1+2=4"]
