"""Training: compile the CRNN's training model and fit it with the callbacks an OCR run needs."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np

from ocrlib.atomic import signals_held
from ocrlib.backup import backup_path, read_backup, run_differences, write_backup
from ocrlib.data.batches import Batches, LineBatches, padded_to_multiple
from ocrlib.decoders import best_path_batch
from ocrlib.errors import ModelFileError, TrainingDivergedError
from ocrlib.metrics import character_error_rate, sequence_accuracy
from ocrlib.model import CRNN, model_output_as_loss
from ocrlib.recognizer import Recognizer


def last_checkpoint_path(best_path: str | Path) -> Path:
    """Where the inference model of a run's last epoch lives, beside the best one: ``M.keras`` -> ``M.last.keras``."""
    best_path = Path(best_path)
    return best_path.with_name(f"{best_path.stem}.last.keras")


class DecodeCallback(keras.callbacks.Callback):
    """Each epoch: decode the images of ``val``, add ``{prefix}_sequence_accuracy`` and ``{prefix}_cer``
    to the logs (so later callbacks can monitor them) and print a few truth -> prediction pairs.

    prefix: ``val`` for the validation set; another name scores another set alongside, e.g. real
    images that must not choose the checkpoint (``fit`` runs extra callbacks after its checkpoint).
    """

    def __init__(self, crnn: CRNN, val: Batches | LineBatches, show: int = 4, verbose: bool = True,
                 prefix: str = "val"):
        super().__init__()
        self.recognizer = Recognizer(crnn.inference_model, crnn.alphabet)
        self.val, self.texts = val, val.texts
        self.show, self.verbose, self.prefix = show, verbose, prefix

    def on_epoch_end(self, epoch, logs=None):
        # Model.predict on batches the replicas can share, not the recognizer's predict_on_batch: under
        # data-parallel training, only predict splits a batch over the replicas rather than giving each all of it.
        if self.recognizer.input_shape[1] is None:  # a variable-width model: images of similar widths together
            probs = self.recognizer.predict_proba(self.val.images, batch_size=self.val.batch_size)
        else:
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


class NanGuard(keras.callbacks.Callback):
    """Stop training after the first batch whose loss is NaN or infinite; ``found`` is then its
    (epoch, batch, loss), epoch and batch counted from 1, and None until then."""

    def __init__(self):
        super().__init__()
        self.epoch, self.found = 0, None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = float((logs or {}).get("loss", 0.0))
        if not np.isfinite(loss):
            self.found = (self.epoch + 1, batch + 1, loss)
            self.model.stop_training = True


# The callbacks whose state a backup keeps: class name -> attributes (Keras resets them in on_train_begin).
KEPT_STATE = {"EarlyStopping": ("wait", "best", "best_epoch", "stopped_epoch"),
              "ReduceLROnPlateau": ("wait", "best", "cooldown_counter")}


class Checkpoint(keras.callbacks.Callback):
    """What a run keeps on disk, written after every epoch whose ``loss`` and ``val_loss`` are finite,
    all of it even if SIGINT or SIGTERM arrives meanwhile (``signals_held``):

    - ``path``: the inference model, whenever val_loss improves on the best so far;
    - ``last_checkpoint_path(path)``: the inference model of the last epoch;
    - ``backup_path(path)``: the backup to resume from (``ocrlib.backup``): the training model with its
      optimizer, ``run``, the best val_loss and the state of the callbacks in ``keep``.

    The models saved are inference models: the training model's Lambda layer would not load safely.
    Each file's metadata holds its epoch, that epoch's logs and ``metadata`` (how the model was made).
    ``resume``: a backup's state, whose best val_loss and callback states ``on_train_begin`` puts back
    (after the callbacks have reset themselves, so this callback goes after them).
    """

    def __init__(self, crnn: CRNN, path: str | Path, metadata: dict | None = None, run: dict | None = None,
                 keep: Sequence[keras.callbacks.Callback] = (), resume: dict | None = None):
        super().__init__()
        self.recognizer = Recognizer(crnn.inference_model, crnn.alphabet, metadata)
        self.path, self.run, self.keep, self.resume = Path(path), run or {}, keep, resume
        self.best, self.saved_epoch = (resume["best"], resume["epoch"]) if resume else (np.inf, 0)

    def on_train_begin(self, logs=None):
        for callback in self.keep if self.resume else ():
            for name, value in self.resume["callbacks"].get(type(callback).__name__, {}).items():
                setattr(callback, name, value)

    def on_epoch_end(self, epoch, logs=None):
        scored = {k: float(v) for k, v in (logs or {}).items()}
        if not all(np.isfinite(scored.get(name, 0.0)) for name in ("loss", "val_loss")):
            return
        with signals_held():
            if scored.get("val_loss", np.inf) < self.best:
                self.best = scored["val_loss"]
                self.recognizer.save(self.path, epoch=epoch + 1, logs=scored)
            self.recognizer.save(last_checkpoint_path(self.path), epoch=epoch + 1, logs=scored)
            callbacks = {type(callback).__name__: {name: getattr(callback, name)
                                                  for name in KEPT_STATE.get(type(callback).__name__, ())}
                         for callback in self.keep}
            write_backup(backup_path(self.path), self.model, {
                "epoch": epoch + 1, "best": self.best, "run": self.run, "callbacks": callbacks,
                "stopped": bool(self.model.stop_training)})  # by early stopping, which runs before
        self.saved_epoch = epoch + 1


def _restore(model: keras.Model, out: Path, run: dict) -> dict | None:
    """Load the backup of the run writing ``out`` into the compiled training ``model`` (weights and
    optimizer state) and return its state; None where there is no backup. ``ModelFileError`` naming
    each difference where the backup's run is not ``run``."""
    directory = backup_path(out)
    state = read_backup(directory)
    if state is None:
        return None
    differences = run_differences(state["run"], run)
    if differences:
        raise ModelFileError(f"cannot resume the run backed up in {directory}: {'; '.join(differences)}. "
                             "Resume it as it was started, or train anew without resuming")
    model.optimizer.build(model.trainable_variables)  # so that load_weights fills the optimizer's state too
    model.load_weights(state["weights"])
    return state


def cosine_schedule(learning_rate: float, epochs: int):
    """Epoch -> learning rate, falling from ``learning_rate`` to near 0 along half a cosine."""
    return lambda epoch: learning_rate * 0.5 * (1 + np.cos(np.pi * epoch / epochs))


def fit(crnn: CRNN, train: Batches | LineBatches, val: Batches | LineBatches, out: str | Path, epochs: int = 30,
        learning_rate: float = 1e-3, schedule: str = "plateau", patience: int = 8, resume: bool = False,
        verbose: int | str = "auto", callbacks: Sequence[keras.callbacks.Callback] = (),
        metadata: dict | None = None, run: dict | None = None) -> keras.callbacks.History:
    """Train ``crnn`` with CTC, keep the best inference model at ``out`` (.keras) and return with the
    best weights loaded into ``crnn``. train, val: ``Batches``, or ``LineBatches`` for a variable-width model.

    Callbacks: decode-and-score on ``val`` each epoch, early stopping on val_loss, the learning-rate
    ``schedule``, a NaN guard, and the ``Checkpoint`` of the best and last models and of the backup.
    ``"plateau"`` halves the learning rate when val_loss stalls (open-ended runs), ``"cosine"`` decays
    it to 0 over ``epochs`` (a fixed budget, which it uses better). Extra ``callbacks`` run after these.
    ``metadata`` (JSON: training arguments, data sizes) goes into every checkpoint's metadata.

    resume: go on from the backup beside ``out`` (``ocrlib.backup``) where there is one, as if the run
    had never stopped: weights, optimizer state, learning-rate schedule, early stopping and the batches
    each epoch draws (``Batches.set_epoch``) all continue; a run that early stopping ended trains no more.
    ``run``: JSON values that define the run besides its alphabet and input size (data folders,
    options): resuming a backup whose run differs raises ``ModelFileError`` naming each difference.

    A NaN or infinite loss stops training after its batch and raises ``TrainingDivergedError`` naming
    the epoch and batch; the files on disk keep the last epoch whose losses were finite.
    """
    if schedule not in ("plateau", "cosine"):
        raise ValueError(f"unknown schedule {schedule!r}: choose 'plateau' or 'cosine'")
    out = Path(out)
    crnn.check_labels(train.texts + val.texts)
    model = crnn.training_model
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=model_output_as_loss)
    run = {"alphabet": crnn.alphabet.chars, "input_shape": list(crnn.input_shape), **(run or {})}
    state = _restore(model, out, run) if resume else None
    guard = NanGuard()
    keep = [keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience),
            keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=max(1, patience // 3))
            if schedule == "plateau" else keras.callbacks.LearningRateScheduler(cosine_schedule(learning_rate, epochs))]
    checkpoint = Checkpoint(crnn, out, metadata, run, keep, resume=state)
    callbacks = [keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: train.set_epoch(epoch)),
                 DecodeCallback(crnn, val, verbose=bool(verbose)), guard, *keep, checkpoint, *callbacks]
    initial_epoch = 0 if state is None else epochs if state["stopped"] else state["epoch"]
    # shuffle=False: Batches shuffles by its seed and epoch; Keras would also shuffle the order of the
    # batches, by Python's global random state, which a resumed run does not share.
    history = model.fit(train, validation_data=val, epochs=epochs, initial_epoch=initial_epoch,
                        callbacks=callbacks, verbose=verbose, shuffle=False)
    if out.exists():
        crnn.inference_model.set_weights(Recognizer.load(out).model.get_weights())
    if guard.found:
        epoch, batch, loss = guard.found
        kept = f"keep epoch {checkpoint.saved_epoch}" if checkpoint.saved_epoch else "were not written"
        raise TrainingDivergedError(
            f"the loss became {loss} in epoch {epoch}, batch {batch} of {len(train)}: training stopped there. "
            f"{out}, its last checkpoint and its backup {kept}, the last epoch whose losses were finite. "
            f"Train again with a lower learning rate than {learning_rate:g}, e.g. {learning_rate / 10:g}")
    return history
