"""Integer arithmetic over ``0-9 + - * ( ) =``, parsed by hand: text is never executed.

Grammar (whitespace not allowed, as in the images)::

    equation   := expression ["=" result]
    expression := term (("+" | "-") term)*
    term       := factor ("*" factor)*
    factor     := digits | "(" expression ")"
    result     := ["-"] digits

>>> evaluate("(1+2)*3"), check("1-2*3=-5"), is_consistent("1-2*3=5")
(9, -5, False)
"""
from __future__ import annotations

from ocrlib.errors import OcrlibError

DIGITS = frozenset("0123456789")


class EquationError(OcrlibError):
    """Text that is not an equation of the grammar above; the message names the position."""


class _Parser:
    def __init__(self, text: str):
        self.text, self.position = text, 0

    def fail(self, expected: str):
        found = repr(self.text[self.position]) if self.position < len(self.text) else "the end"
        hint = " (division is not supported)" if found == "'/'" else ""
        raise EquationError(f"{self.text!r}: expected {expected} at position {self.position}, found {found}{hint}")

    def peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def digits(self) -> int:
        start = self.position
        while self.peek() in DIGITS:
            self.position += 1
        if start == self.position:
            self.fail("a digit or '('")
        return int(self.text[start : self.position])

    def factor(self) -> int:
        if self.peek() == "(":
            self.position += 1
            value = self.expression()
            if self.peek() != ")":
                self.fail("')'")
            self.position += 1
            return value
        return self.digits()

    def term(self) -> int:
        value = self.factor()
        while self.peek() == "*":
            self.position += 1
            value *= self.factor()
        return value

    def expression(self) -> int:
        value = self.term()
        while self.peek() in ("+", "-"):
            sign = 1 if self.peek() == "+" else -1
            self.position += 1
            value += sign * self.term()
        return value


def parse(text: str) -> tuple[int, int | None]:
    """``"(1+2)*3=9"`` -> (value of the expression, written result or None when there is no ``=``)."""
    parser = _Parser(text)
    value = parser.expression()
    if parser.peek() == "":
        return value, None
    if parser.peek() != "=":
        parser.fail("an operator, ')' or '='")
    parser.position += 1
    negative = parser.peek() == "-"
    parser.position += negative
    result = parser.digits() * (-1 if negative else 1)
    if parser.peek():
        parser.fail("the end")
    return value, result


def evaluate(expression: str) -> int:
    """The value of an expression without ``=``."""
    value, result = parse(expression)
    if result is not None:
        raise EquationError(f"{expression!r}: expected an expression without '='")
    return value


def check(text: str) -> int:
    """The result of an equation whose written result is right; ``EquationError`` naming both numbers otherwise."""
    value, result = parse(text)
    if result is None:
        raise EquationError(f"{text!r}: expected '=' and a result")
    if result != value:
        raise EquationError(f"{text!r}: the written result is {result}, but the expression makes {value}")
    return result


def is_consistent(text: str) -> bool:
    """True for an equation that parses and whose written result is the expression's value."""
    return _holds(check, text)


def is_expression(text: str) -> bool:
    """True for an expression without ``=`` that parses."""
    return _holds(evaluate, text)


def _holds(test, text: str) -> bool:
    try:
        test(text)
    except EquationError:
        return False
    return True
