"""Write ocrlib/data/words.txt, the vocabulary of ``ocrlib.data.vocabulary``, from text that ships with
Python: ``pydoc_data.topics``, the language reference's prose behind ``help()`` (PSF License).

Run once by hand (``python scripts/make_word_counts.py``); the file it writes is committed, so that
the words of a seed do not change with the Python version. Only lines of prose count: after the
double-quoted names (``"__debug__"``) are taken out, four words or more of letters, digits and
punctuation, which leaves out code, grammar rules and tables. A word keeps its capital if it has it in
nine tenths or more of its uses inside a sentence (``Python``, ``Unicode``), and is lower case otherwise.
"""
import re
import sys
from collections import Counter
from pathlib import Path

from pydoc_data.topics import topics

OUT = Path(__file__).resolve().parents[1] / "ocrlib" / "data" / "words.txt"


def prose(text: str) -> str:
    """The lines of ``text`` that are prose, without their double-quoted names."""
    lines = (re.sub(r'"[^"]*"', " ", line.replace("\u2019", "'")).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if re.fullmatch(r"[A-Za-z0-9 .,;:'()*!?-]+", line) and len(line.split()) >= 4)


def main() -> None:
    text = re.sub(r"\s+", " ", prose("\n".join(topics[key] for key in sorted(topics))))
    counts, mid_sentence, capitalised = Counter(), Counter(), Counter()
    for match in re.finditer(r"[A-Za-z0-9_]+(?:'[a-z]+)?", text):
        word = match.group()
        if not re.fullmatch(r"[A-Za-z]+(?:'[a-z]+)?", word) or not (word.islower() or word.istitle()):
            continue  # a number, a name with underscores or inner capitals (CamelCase), an acronym
        counts[word.lower()] += 1
        if not re.search(r"(^|[.!?:]) *$", text[max(0, match.start() - 3) : match.start()]):
            mid_sentence[word.lower()] += 1
            capitalised[word.lower()] += word.istitle()
    kept = sorted(((w.capitalize() if capitalised[w] >= 0.9 * mid_sentence[w] > 0 else w, n) for w, n in counts.items()),
                  key=lambda item: (-item[1], item[0]))
    header = (f"# {len(kept)} words and their counts in the prose of pydoc_data.topics (Python "
              f"{sys.version_info.major}.{sys.version_info.minor}, PSF License),\n"
              "# made by scripts/make_word_counts.py; most frequent first.\n")
    OUT.write_text(header + "".join(f"{word}\t{count}\n" for word, count in kept), encoding="utf-8")
    print(f"wrote {len(kept)} words to {OUT}")


if __name__ == "__main__":
    main()
