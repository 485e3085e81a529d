import pytest

from ocrlib.alphabet import BLANK, Alphabet, as_alphabet
from ocrlib.errors import OcrlibError, UnknownCharacterError


def test_blank_is_index_zero_and_characters_start_at_one():
    alphabet = Alphabet("abc")
    assert BLANK == 0
    assert alphabet.encode("abc") == [1, 2, 3]
    assert alphabet.num_classes == 4
    assert len(alphabet) == 3


def test_encode_then_decode_round_trips():
    alphabet = Alphabet("0123456789ABC")
    assert alphabet.decode(alphabet.encode("C0B19")) == "C0B19"


def test_decode_drops_blanks_but_does_not_merge_repeats():
    assert Alphabet("ab").decode([1, 0, 1, 1, 0, 2]) == "aaab"


def test_encode_names_the_unknown_character():
    with pytest.raises(UnknownCharacterError, match="'!'") as caught:
        Alphabet("abc").encode("ab!c")
    assert "!" in str(caught.value)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, OcrlibError)


def test_duplicate_characters_are_rejected_and_named():
    with pytest.raises(ValueError, match="b"):
        Alphabet("abcb")


def test_from_texts_is_the_sorted_set_of_characters():
    assert Alphabet.from_texts(["cab", "bd", ""]).chars == "abcd"


def test_equality_membership_and_hash():
    assert Alphabet("ab") == Alphabet("ab")
    assert Alphabet("ab") != Alphabet("ba")
    assert hash(Alphabet("ab")) == hash(Alphabet("ab"))
    assert "a" in Alphabet("ab") and "c" not in Alphabet("ab")
    assert list(Alphabet("xy")) == ["x", "y"]


def test_as_alphabet_accepts_strings_and_alphabets():
    alphabet = Alphabet("xy")
    assert as_alphabet(alphabet) is alphabet
    assert as_alphabet("xy") == alphabet


@pytest.mark.parametrize("index", [-1, 3])
def test_decode_rejects_indices_outside_the_alphabet(index):
    # Alphabet("ab") has classes 0..2. A negative index (e.g. the -1 padding of keras.ops.ctc_decode)
    # must not silently wrap around to a character from the end of the alphabet.
    with pytest.raises((ValueError, IndexError)):
        Alphabet("ab").decode([1, index])
