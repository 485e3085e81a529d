"""Text-line benchmark on the 2-core CPU: a variable-width CRNN on synthetic lines, scored by decoder.

    .venv/bin/python benchmarks/train_lines.py train --style printed [--train 16000] [--epochs 5]
    .venv/bin/python benchmarks/train_lines.py train --style handwritten --train 14000 --out runs/benchmarks/lines-handwritten.keras
    .venv/bin/python benchmarks/train_lines.py score --model runs/benchmarks/lines-printed.keras --style printed
    .venv/bin/python benchmarks/train_lines.py speed --model runs/benchmarks/lines-printed.keras

``train``: ``build_crnn(LINE_ALPHABET, (32, None, 1))`` on lines of one style (``generate_lines``, seed
1; validation seed 3), batched by width (``LineBatches``), with the learning curve per epoch; then
``score``. ``score``: held-out lines of seed 2 read by best path, beam search, beam search with a
character bigram model, and word beam search (words, and words with a bigram model), the beams pruned at 0.1%
(``PRUNE``), each with CER,
WER and ms per line, then lines where the dictionary fixed a word and where it changed one it should
have left alone. The language models are counted in ``CORPUS_LINES`` lines drawn by the same text
generator with another seed (4): text of the same kind as the test lines, never the test lines
themselves; the dictionary holds their words and the vocabulary's (``word_counts``). ``speed``: lines per second at 512 pixels in batches of 64, and one generated
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


def corpus() -> str:
    """``CORPUS_LINES`` line texts of seed 4, one per line."""
    rng = np.random.default_rng(4)
    return "\n".join(random_line_text(rng) for _ in range(CORPUS_LINES))


def decoders(text: str) -> dict:
    """Name -> f(probs (T, C)) -> text, for every decoder the table compares."""
    lm = LanguageModel(text, LINE_ALPHABET, n=2, smoothing=0.1)
    # The dictionary: the corpus and every word of the vocabulary the lines draw from (a language's word
    # list), each also Capitalised and in CAPITALS, as the lines may write it.
    words = with_case_variants(text + "\n" + " ".join(word_counts()), WORD_CHARS)
    return {
        "best path": None,  # vectorised over the batch
        "beam search": partial(beam_search, chars=LINE_ALPHABET, prune=PRUNE),
        "beam search + character bigram": partial(beam_search, chars=LINE_ALPHABET, lm=lm, lm_weight=0.5, prune=PRUNE),
        "word beam search (words)": partial(word_beam_search, chars=LINE_ALPHABET, corpus=words, word_chars=WORD_CHARS,
                                            prune=PRUNE),
        "word beam search (word bigrams)": partial(word_beam_search, chars=LINE_ALPHABET, corpus=words,
                                                   word_chars=WORD_CHARS, mode="ngrams", smoothing=0.01, prune=PRUNE),
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
    best, words = readings["best path"], readings["word beam search (words)"]
    fixed = [(t, b, w) for t, b, w in zip(texts, best, words) if b != t and w == t]
    broken = [(t, b, w) for t, b, w in zip(texts, best, words) if b == t and w != t]
    print(f"\nword beam search (words) against best path: {len(fixed)} lines fixed, {len(broken)} broken")
    for label, cases in (("fixed", fixed), ("broken", broken)):
        for truth, reading, worded in cases[:5]:
            print(f"{label}: {_changes(reading, worded)}  (truth {truth!r})")


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
    add_training_arguments(p, "line", train=16_000, epochs=5, out="runs/benchmarks/lines-printed.keras")
    p.add_argument("--style", choices=("printed", "handwritten"), default="printed")
    p.add_argument("--units", type=int, default=128, help="width of the dense and LSTM layers (package default: 64)")
    p.set_defaults(run=train)
    p = parts.add_parser("score", help="score a saved line model on held-out lines, decoder by decoder")
    p.add_argument("--model", default="runs/benchmarks/lines-printed.keras")
    p.add_argument("--style", choices=("printed", "handwritten"), default="printed")
    p.add_argument("--test", type=int, default=2000, help="held-out test lines (seed 2)")
    p.set_defaults(run=lambda args: score_model(Recognizer.load(args.model), args.style, args.test))
    p = parts.add_parser("speed", help="lines per second, and a page end to end")
    p.add_argument("--model", default="runs/benchmarks/lines-printed.keras")
    p.add_argument("--style", choices=("printed", "handwritten"), default="printed", help="the page's style")
    p.set_defaults(run=lambda args: speed(Recognizer.load(args.model), args.style))
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
