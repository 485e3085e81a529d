"""One line for ``make demo``: a freshly trained plates model against the shipped one, on the same labelled
folders (best-path sequence accuracy); a folder that is absent is left out. Without a shipped plates
model it says so, in one line.

    python scripts/compare_with_shipped.py runs/demo/plates.keras data/plates-test ../shared/data/real-plates-ar
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ocrlib.data.folder import load_folder  # noqa: E402
from ocrlib.decoders import best_path_batch  # noqa: E402
from ocrlib.metrics import sequence_accuracy  # noqa: E402
from ocrlib.pretrained import MAKER, shipped_models  # noqa: E402
from ocrlib.recognizer import Recognizer  # noqa: E402


def accuracy(recognizer: Recognizer, folder: str) -> float:
    """Best-path sequence accuracy of ``recognizer`` on the labelled ``folder``."""
    images, texts = load_folder(folder, recognizer.input_shape)
    return sequence_accuracy(texts, best_path_batch(recognizer.predict_proba(images), recognizer.alphabet))


def main(model: str, *folders: str) -> None:
    if shipped_models()["plates"] is None:
        print(f"no shipped plates model in this installation (python {MAKER} plates makes it): comparison skipped")
        return
    fresh, shipped = Recognizer.load(model), Recognizer.pretrained("plates")
    comparisons = [f"{folder} {accuracy(fresh, folder):.2%} vs {accuracy(shipped, folder):.2%}"
                   for folder in folders if Path(folder).is_dir()]
    print(f"{model} vs the shipped plates model, sequence accuracy: {', '.join(comparisons)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
