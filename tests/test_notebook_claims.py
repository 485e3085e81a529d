"""The notebooks' prose quotes only numbers that the notebook itself shows.

A number in a markdown cell that has a decimal point, a percent sign or a thousands separator
(``0.95``, ``95.7%``, ``20,000``) must appear in that notebook's code or outputs, at the precision the
prose gives it: "96%" is shown by a printed ``95.7%``, and a percentage by the equivalent fraction
(``0.957``). Facts that no cell prints (a year, a constant from a paper) are listed in a comment in
the markdown cell, ``<!-- facts: 2006 0.5 -->``, which the rendered notebook does not show. Section
numbers (``### 2.1``, "section 2.1") and commands in fenced code blocks are not claims.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
# A number as prose writes it: 20,000 or 0.95 or 95.7% or 12 (the last is not checked).
PROSE_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s?(%))?(?![\w])")
# A number as code and outputs write it: 20_000, 20000, 0.957, 7.67e-05, 95.7%.
SHOWN_NUMBER = re.compile(r"(?<![\w.])(\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?)(%?)")
FACTS = re.compile(r"<!--\s*facts:(.*?)-->", re.DOTALL)
HEADING_NUMBER = re.compile(r"^(#+\s*)[\d.]+", re.MULTILINE)
FENCED_CODE = re.compile(r"```.*?```", re.DOTALL)
SECTION_REFERENCE = re.compile(r"\bsections?\s+\d[\d.]*(?:\s*(?:,|and|to)\s*\d[\d.]*)*")


def claims(markdown: str) -> list[str]:
    """The checked numbers of a markdown cell, as written ("95.7%", "20,000", "0.95"), less its facts."""
    facts = {fact.strip(",") for block in FACTS.findall(markdown) for fact in block.split()}
    text = SECTION_REFERENCE.sub("", HEADING_NUMBER.sub(r"\1", FENCED_CODE.sub("", FACTS.sub("", markdown))))
    found = []
    for match in PROSE_NUMBER.finditer(text):
        number, percent = match.group(1), match.group(2)
        written = number + (percent or "")
        if ("." in number or "," in number or percent) and written not in facts and number not in facts:
            found.append(written)
    return found


def shown_numbers(notebook: dict) -> list[tuple[float, int, bool]]:
    """Every number in the notebook's code cells and their text outputs: (value, decimals, percent)."""
    texts = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        texts.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            texts.append("".join(output.get("data", {}).get("text/plain", "")))
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", "\n".join(texts))  # 20,000 -> 20000
    return [(float(number.replace("_", "")), _decimals(number), percent == "%")
            for number, percent in SHOWN_NUMBER.findall(text)]


def _decimals(number: str) -> int:
    mantissa = number.lower().split("e")[0]
    return len(mantissa.split(".")[1]) if "." in mantissa else 0


def is_shown(claim: str, shown: list[tuple[float, int, bool]]) -> bool:
    """Whether a shown number, at least as precise as the claim, rounds to it: a percentage shown as a
    percentage or as a fraction (95.7% as 0.957 or 0.9567), a plain number as itself or a percentage."""
    number = claim.rstrip("%").strip().replace(",", "")
    decimals, value, percent = _decimals(number), float(number), claim.endswith("%")
    for shown_value, shown_decimals, shown_percent in shown:
        if percent == shown_percent:
            candidate, precision = shown_value, shown_decimals
        elif percent:
            candidate, precision = shown_value * 100, shown_decimals - 2
        else:
            candidate, precision = shown_value / 100, shown_decimals + 2
        if precision >= decimals and abs(round(candidate, decimals) - value) < 10 ** -(decimals + 3):
            return True
    return False


def unshown_claims(notebook: dict) -> list[str]:
    """'cell N: 95.7%' for each checked number of the prose that no code or output shows."""
    shown = shown_numbers(notebook)
    return [f"cell {i}: {claim}" for i, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "markdown"
            for claim in claims("".join(cell["source"])) if not is_shown(claim, shown)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_number_in_the_prose_is_shown_by_the_notebook(path):
    assert unshown_claims(json.loads(path.read_text())) == []


def fake_notebook(markdown: str, code: str = "", output: str = "") -> dict:
    return {"cells": [
        {"cell_type": "code", "source": [code], "outputs": [{"output_type": "stream", "text": [output]}]},
        {"cell_type": "markdown", "source": [markdown]},
    ]}


def test_the_checker_catches_a_number_no_cell_shows():
    notebook = fake_notebook("It reads 97.5% of the plates after 2,000 steps.", output="accuracy 96.3%, 2000 steps")
    assert unshown_claims(notebook) == ["cell 1: 97.5%"]


def test_a_percentage_is_not_shown_by_an_integer_nor_a_number_by_a_less_precise_one():
    notebook = fake_notebook("It reads 76% of them, with a loss of 0.125.", output="76 ms/step, loss 0.12")
    assert unshown_claims(notebook) == ["cell 1: 76%", "cell 1: 0.125"]


def test_the_checker_accepts_rounding_fractions_underscores_facts_and_section_numbers():
    notebook = fake_notebook(
        "### 2.1 Results\nAbout 96% right (0.957), on 20,000 plates, as in 2006 and section 2.1. "
        "<!-- facts: 0.5 --> A probability of 0.5 is a coin.",
        code="N = 20_000", output="sequence accuracy 0.9567")
    assert unshown_claims(notebook) == []


def test_plain_integers_and_fenced_commands_are_not_claims():
    assert claims("Train for 10 epochs on 147 real plates, T = 32.\n```bash\ntrain --val-split 0.05\n```") == []
