"""Text-line benchmark on the 2-core CPU: a variable-width CRNN on synthetic lines, scored by decoder.

    .venv/bin/python benchmarks/train_lines.py train --style printed [--train 16000] [--epochs 4]
    .venv/bin/python benchmarks/train_lines.py train --style handwritten --train 14000 --epochs 5 --out runs/benchmarks/lines-handwritten.keras
    .venv/bin/python benchmarks/train_lines.py score --model runs/benchmarks/lines-printed.keras --style printed
    .venv/bin/python benchmarks/train_lines.py unknown --model runs/benchmarks/lines-printed.keras --style printed
    .venv/bin/python benchmarks/train_lines.py speed --model runs/benchmarks/lines-printed.keras

``train``: ``build_crnn(LINE_ALPHABET, (32, None, 1))`` on lines of one style (``generate_lines``, seed
1; validation seed 3), batched by width (``LineBatches``), with the learning curve per epoch; then
``score``. ``score``: held-out lines of seed 2 read by best path, beam search, beam search with a
character bigram model, and word beam search (words, and words with a bigram model; dictionary words only, then also
unknown words at a cost of 1e-2, ``UNKNOWN_WORDS``), the beams pruned at 0.1% (``PRUNE``), each with CER,
WER and ms per line, then lines where the dictionary fixed a word and where it changed one it should
have left alone. The language models are counted in ``CORPUS_LINES`` lines drawn by the same text
generator with another seed (4): text of the same kind as the test lines, never the test lines
themselves; the dictionary holds their words and the vocabulary's (``word_counts``). ``unknown``: word
beam search's WER on validation lines (seed 3) for costs of an unknown word from 1e-8 to 1, the
measurement ``UNKNOWN_WORDS`` is chosen by. ``speed``: lines per second at 512 pixels in batches of 64, and one generated
page of the model's style read end to end (segmentation and recognition).
"""
from __future__ import annotations

import argparse
import os
import string
import time
from difflib import SequenceMatcher
from functools import partial

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from ocrlib import build_crnn  # noqa: E402
from ocrlib.data.lines import LINE_ALPHABET, generate_lines  # noqa: E402
from ocrlib.data.pages import generate_pages  # noqa: E402
from ocrlib.data.vocabulary import random_line_text, word_counts  # noqa: E402
from ocrlib.decoders import LanguageModel, beam_search, best_path_batch  # noqa: E402
from ocrlib.decoders.word_beam_search import with_case_variants, word_beam_search  # noqa: E402
from ocrlib.metrics import character_error_rate, word_error_rate  # noqa: E402
from ocrlib.recognizer import Recognizer  # noqa: E402
from ocrlib.segment import segment_lines  # noqa: E402
from common import add_training_arguments, draw, print_table, train_synthetic  # noqa: E402  (benchmarks/common.py)

INPUT_SHAPE = (32, None, 1)
CORPUS_LINES = 20_000  # lines of seed 4 whose text the language models and the dictionary are counted in
WORD_CHARS = string.ascii_letters
PRUNE = float(np.log(1e-3))  # the beam decoders try no character under 0.1% at a step (but each step's best)
UNKNOWN_WORDS = float(np.log(1e-2))  # word beam search's cost of a word outside the dictionary (chosen by `unknown`)


def corpus() -> str:
    """``CORPUS_LINES`` line texts of seed 4, one per line."""
    rng = np.random.default_rng(4)
    return "\n".join(random_line_text(rng) for _ in range(CORPUS_LINES))


def dictionary(text: str) -> str:
    """Word beam search's corpus: ``text`` (its codes such as ``QX7`` as written), then every word of the
    vocabulary the lines draw from (a language's word list) as it is, Capitalised and in CAPITALS, as
    the lines may write it."""
    return text + "\n" + with_case_variants(" ".join(word_counts()), WORD_CHARS)


def decoders(text: str) -> dict:
    """Name -> f(probs (T, C)) -> text, for every decoder the table compares."""
    lm = LanguageModel(text, LINE_ALPHABET, n=2, smoothing=0.1)
    wbs = partial(word_beam_search, chars=LINE_ALPHABET, corpus=dictionary(text), word_chars=WORD_CHARS, prune=PRUNE)
    return {
        "best path": None,  # vectorised over the batch
        "beam search": partial(beam_search, chars=LINE_ALPHABET, prune=PRUNE),
        "beam search + character bigram": partial(beam_search, chars=LINE_ALPHABET, lm=lm, lm_weight=0.5, prune=PRUNE),
        "word beam search (words)": wbs,
        "word beam search (word bigrams)": partial(wbs, mode="ngrams", smoothing=0.01),
        "word beam search (words, unknown words)": partial(wbs, unknown_words=UNKNOWN_WORDS),
        "word beam search (word bigrams, unknown words)": partial(wbs, mode="ngrams", smoothing=0.01,
                                                                  unknown_words=UNKNOWN_WORDS),
    }


def score_model(recognizer: Recognizer, style: str, n: int) -> None:
    """The decoder table on ``n`` held-out lines of ``style`` (seed 2), and examples of what words changed."""
    images, texts = draw(partial(generate_lines, styles=(style,)), n, 2, recognizer.input_shape)
    start = time.perf_counter()
    probs = recognizer.predict_proba(images, batch_size=64)
    print(f"\n{n} held-out {style} lines read in {time.perf_counter() - start:.1f} s")
    steps = [image.shape[1] // 4 for image in images]
    readings, rows = {}, []
    for name, decode in decoders(corpus()).items():
        start = time.perf_counter()
        readings[name] = (best_path_batch(probs, recognizer.alphabet) if decode is None
                          else [decode(p[:t]) for p, t in zip(probs, steps)])
        milliseconds = 1000 * (time.perf_counter() - start) / n
        rows.append((name, f"{character_error_rate(texts, readings[name]):.2%}",
                     f"{word_error_rate(texts, readings[name]):.2%}", f"{milliseconds:.1f}"))
    print(f"\nHeld-out: {n} {style} lines of seed 2")
    print_table(("decoder", "CER", "WER", "ms / line"), rows)
    best = readings["best path"]
    for name in ("word beam search (words)", "word beam search (words, unknown words)"):
        fixed = [(t, b, w) for t, b, w in zip(texts, best, readings[name]) if b != t and w == t]
        broken = [(t, b, w) for t, b, w in zip(texts, best, readings[name]) if b == t and w != t]
        print(f"\n{name} against best path: {len(fixed)} lines fixed, {len(broken)} broken")
        for label, cases in (("fixed", fixed), ("broken", broken)):
            for truth, reading, worded in cases[:5]:
                print(f"{label}: {_changes(reading, worded)}  (truth {truth!r})")


def sweep_unknown_words(recognizer: Recognizer, style: str, n: int) -> None:
    """WER of word beam search (words) on ``n`` validation lines of ``style`` (seed 3) for a range of
    costs of an unknown word: from dictionary words only to unknown words for free (nearly best path)."""
    images, texts = draw(partial(generate_lines, styles=(style,)), n, 3, recognizer.input_shape)
    probs = recognizer.predict_proba(images, batch_size=64)
    steps = [image.shape[1] // 4 for image in images]
    words = dictionary(corpus())
    rows = [("best path", "-", f"{word_error_rate(texts, best_path_batch(probs, recognizer.alphabet)):.2%}")]
    for cost in (None, 1e-8, 1e-6, 1e-4, 1e-2, 0.03, 0.1, 0.3, 1.0):
        read = [word_beam_search(p[:t], LINE_ALPHABET, words, WORD_CHARS, prune=PRUNE,
                                 unknown_words=None if cost is None else float(np.log(cost))) for p, t in zip(probs, steps)]
        rows.append(("word beam search (words)", "dictionary only" if cost is None else f"{cost:g}",
                     f"{word_error_rate(texts, read):.2%}"))
    print(f"\nValidation: {n} {style} lines of seed 3")
    print_table(("decoder", "cost of an unknown word", "WER"), rows)


def _changes(before: str, after: str) -> str:
    """The spans that differ, ``'bfore' -> 'before'``, joined."""
    return ", ".join(f"{before[i1:i2]!r} -> {after[j1:j2]!r}"
                     for op, i1, i2, j1, j2 in SequenceMatcher(None, before, after).get_opcodes() if op != "equal")


def speed(recognizer: Recognizer, style: str) -> None:
    """Lines/s at 512 pixels, batch 64; one page of ``style`` read end to end."""
    lines = np.full((256, 32, 512, 1), 255, np.uint8)
    recognizer.predict_proba(lines[:64], batch_size=64)  # warm-up: the first call traces the model
    start = time.perf_counter()
    recognizer.predict_proba(lines, batch_size=64)
    rate = len(lines) / (time.perf_counter() - start)
    page = generate_pages(1, seed=5, styles=(style,))[0]
    start = time.perf_counter()
    found = segment_lines(page.image)
    segmented = time.perf_counter() - start
    read = recognizer.recognize([line.image for line in found])
    total = time.perf_counter() - start
    print_table(("measure", "value"), [
        ("lines / s, 512 pixels wide, batch 64", f"{rate:.0f}"),
        (f"a {style} page of {len(page.texts)} lines: lines found", f"{len(found)}"),
        ("the page end to end (segment + read)", f"{total * 1000:.0f} ms, {segmented * 1000:.0f} of them segmenting"),
        ("the page's CER (lines paired top to bottom)",
         f"{character_error_rate(page.texts, [text for text, _ in read]):.2%}" if len(read) == len(page.texts) else "-"),
    ])


def train(args: argparse.Namespace) -> None:
    crnn = train_synthetic(lambda: build_crnn(LINE_ALPHABET, INPUT_SHAPE, dense_units=args.units, rnn_units=args.units),
                           partial(generate_lines, styles=(args.style,)), f"{args.style} line", args)
    recognizer = Recognizer(crnn.inference_model, crnn.alphabet)
    score_model(recognizer, args.style, args.test)
    speed(recognizer, args.style)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parts = parser.add_subparsers(dest="part", required=True)
    p = parts.add_parser("train", help="train a variable-width CRNN on synthetic lines, then score it")
    add_training_arguments(p, "line", train=16_000, epochs=4, out="runs/benchmarks/lines-printed.keras")
    p.add_argument("--style", choices=("printed", "handwritten"), default="printed")
    p.add_argument("--units", type=int, default=128, help="width of the dense and LSTM layers (package default: 64)")
    p.set_defaults(run=train)
    p = parts.add_parser("score", help="score a saved line model on held-out lines, decoder by decoder")
    p.add_argument("--model", default="runs/benchmarks/lines-printed.keras")
    p.add_argument("--style", choices=("printed", "handwritten"), default="printed")
    p.add_argument("--test", type=int, default=2000, help="held-out test lines (seed 2)")
    p.set_defaults(run=lambda args: score_model(Recognizer.load(args.model), args.style, args.test))
    p = parts.add_parser("unknown", help="word beam search's WER on validation lines against the cost of an unknown word")
    p.add_argument("--model", default="runs/benchmarks/lines-printed.keras")
    p.add_argument("--style", choices=("printed", "handwritten"), default="printed")
    p.add_argument("--val", type=int, default=1000, help="validation lines (seed 3)")
    p.set_defaults(run=lambda args: sweep_unknown_words(Recognizer.load(args.model), args.style, args.val))
    p = parts.add_parser("speed", help="lines per second, and a page end to end")
    p.add_argument("--model", default="runs/benchmarks/lines-printed.keras")
    p.add_argument("--style", choices=("printed", "handwritten"), default="printed", help="the page's style")
    p.set_defaults(run=lambda args: speed(Recognizer.load(args.model), args.style))
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
