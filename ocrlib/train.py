"""Training: compile the CRNN's training model and fit it with the callbacks an OCR run needs."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np

from ocrlib.data.batches import Batches, padded_to_multiple
from ocrlib.decoders import best_path_batch
from ocrlib.errors import ModelFileError
from ocrlib.metrics import character_error_rate, sequence_accuracy
from ocrlib.model import CRNN, model_output_as_loss
from ocrlib.model_file import read_metadata
from ocrlib.recognizer import Recognizer


def last_checkpoint_path(best_path: str | Path) -> Path:
    """Where the end-of-epoch checkpoint for resuming lives, beside the best one: ``M.keras`` -> ``M.last.keras``."""
    best_path = Path(best_path)
    return best_path.with_name(f"{best_path.stem}.last.keras")


class DecodeCallback(keras.callbacks.Callback):
    """Each epoch: decode the images of ``val``, add ``{prefix}_sequence_accuracy`` and ``{prefix}_cer``
    to the logs (so later callbacks can monitor them) and print a few truth -> prediction pairs.

    prefix: ``val`` for the validation set; another name scores another set alongside, e.g. real
    images that must not choose the checkpoint (``fit`` runs extra callbacks after its checkpoint).
    """

    def __init__(self, crnn: CRNN, val: Batches, show: int = 4, verbose: bool = True, prefix: str = "val"):
        super().__init__()
        self.recognizer = Recognizer(crnn.inference_model, crnn.alphabet)
        self.val, self.texts = val, val.texts
        self.show, self.verbose, self.prefix = show, verbose, prefix

    def on_epoch_end(self, epoch, logs=None):
        # Model.predict on batches the replicas can share, not the recognizer's predict_on_batch: under
        # data-parallel training, only predict splits a batch over the replicas rather than giving each all of it.
        rows = padded_to_multiple(np.arange(len(self.texts)), self.val.replicas)
        images = self.recognizer.preprocess(self.val.images[rows])
        probs = self.recognizer.model.predict(images, batch_size=self.val.batch_size, verbose=0)[: len(self.texts)]
        predictions = best_path_batch(probs, self.recognizer.alphabet)
        accuracy = sequence_accuracy(self.texts, predictions)
        cer = character_error_rate(self.texts, predictions)
        if logs is not None:
            logs.update({f"{self.prefix}_sequence_accuracy": accuracy, f"{self.prefix}_cer": cer})
        if self.verbose:
            pairs = "  ".join(
                f"{t}->{p}{'' if t == p else ' x'}" for t, p in zip(self.texts[: self.show], predictions)
            )
            print(f"\nepoch {epoch + 1}: {self.prefix} sequence accuracy {accuracy:.4f}, CER {cer:.4f} | {pairs}")


class Checkpoint(keras.callbacks.Callback):
    """Save the inference model (never the training model, whose Lambda layer would not load safely).

    Writes ``path`` whenever ``val_loss`` improves on ``best`` (the best model) and
    ``last_checkpoint_path(path)`` after every epoch (for ``resume``). Both writes are atomic. Each
    file's metadata holds its epoch, that epoch's logs, and ``metadata`` (how the model was made).
    """

    def __init__(self, crnn: CRNN, path: str | Path, best: float = np.inf, metadata: dict | None = None):
        super().__init__()
        self.recognizer = Recognizer(crnn.inference_model, crnn.alphabet, metadata)
        self.path, self.best = Path(path), best

    def on_epoch_end(self, epoch, logs=None):
        scored = {k: float(v) for k, v in (logs or {}).items()}
        if scored.get("val_loss", np.inf) < self.best:
            self.best = scored["val_loss"]
            self.recognizer.save(self.path, epoch=epoch + 1, logs=scored)
        self.recognizer.save(last_checkpoint_path(self.path), epoch=epoch + 1, logs=scored)


def _resume(crnn: CRNN, path: Path) -> tuple[int, float]:
    """Load the weights of the last checkpoint into ``crnn``. Returns the number of epochs it had done
    and the best val_loss so far (from the best checkpoint at ``path``), or (0, inf) with no checkpoint."""
    checkpoint = last_checkpoint_path(path)
    if not checkpoint.exists():
        return 0, np.inf
    previous = Recognizer.load(checkpoint)
    if previous.alphabet != crnn.alphabet or previous.input_shape != crnn.input_shape:
        raise ModelFileError(
            f"cannot resume from {checkpoint}: it reads {previous.alphabet.chars!r} at {previous.input_shape}, "
            f"this run {crnn.alphabet.chars!r} at {crnn.input_shape}"
        )
    crnn.inference_model.set_weights(previous.model.get_weights())
    best = read_metadata(path).get("logs", {}).get("val_loss", np.inf) if path.exists() else np.inf
    return int(previous.metadata.get("epoch", 0)), best


def cosine_schedule(learning_rate: float, epochs: int):
    """Epoch -> learning rate, falling from ``learning_rate`` to near 0 along half a cosine."""
    return lambda epoch: learning_rate * 0.5 * (1 + np.cos(np.pi * epoch / epochs))


def fit(crnn: CRNN, train: Batches, val: Batches, out: str | Path, epochs: int = 30,
        learning_rate: float = 1e-3, schedule: str = "plateau", patience: int = 8, resume: bool = False,
        verbose: int | str = "auto", callbacks: Sequence[keras.callbacks.Callback] = (),
        metadata: dict | None = None) -> keras.callbacks.History:
    """Train ``crnn`` with CTC, keep the best inference model at ``out`` (.keras) and return with the
    best weights loaded into ``crnn``.

    Callbacks: decode-and-score on ``val`` each epoch, best and last checkpoints, early stopping on
    val_loss, stop on a NaN loss, and the learning-rate ``schedule``:
    ``"plateau"`` halves it when val_loss stalls (open-ended runs), ``"cosine"`` decays it to 0 over
    ``epochs`` (a fixed budget, which it uses better). With ``resume``, training continues from the
    last checkpoint beside ``out`` if there is one. Extra ``callbacks`` run after these. ``metadata``
    (JSON: training arguments, data sizes) goes into every checkpoint's metadata.
    """
    if schedule not in ("plateau", "cosine"):
        raise ValueError(f"unknown schedule {schedule!r}: choose 'plateau' or 'cosine'")
    out = Path(out)
    crnn.check_labels(train.texts + val.texts)
    crnn.training_model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=model_output_as_loss)
    initial_epoch, best = _resume(crnn, out) if resume else (0, np.inf)
    callbacks = [
        DecodeCallback(crnn, val, verbose=bool(verbose)),
        Checkpoint(crnn, out, best, metadata),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=max(1, patience // 3))
        if schedule == "plateau" else keras.callbacks.LearningRateScheduler(cosine_schedule(learning_rate, epochs)),
        keras.callbacks.TerminateOnNaN(),
        *callbacks,
    ]
    history = crnn.training_model.fit(train, validation_data=val, epochs=epochs, initial_epoch=initial_epoch,
                                      callbacks=callbacks, verbose=verbose)
    if out.exists():
        crnn.inference_model.set_weights(Recognizer.load(out).model.get_weights())
    return history
