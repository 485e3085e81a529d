import json
import shutil
import zipfile

import keras
import numpy as np
import pytest

from ocrlib.alphabet import Alphabet
from ocrlib.backup import STATE_FILE, backup_path, read_backup
from ocrlib.data.batches import Batches
from ocrlib.errors import LabelTooLongError, ModelFileError, TrainingDivergedError
from ocrlib.model import CRNN, build_crnn, model_output_as_loss
from ocrlib.model_file import METADATA_FILE
from ocrlib.recognizer import Recognizer
from ocrlib.train import Checkpoint, DecodeCallback, fit, last_checkpoint_path
from tests.helpers import TINY, leftovers


def metadata(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(METADATA_FILE))


def run_files(out):
    """The names a run writing ``out`` leaves in its folder."""
    return {out.name, last_checkpoint_path(out).name, backup_path(out).name}


def copy_run(out, to):
    """Copy the files of the run writing ``out`` (models and backup) so that they belong to ``to``."""
    shutil.copy(out, to)
    shutil.copy(last_checkpoint_path(out), last_checkpoint_path(to))
    shutil.copytree(backup_path(out), backup_path(to))


def edit_backup(out, **changes):
    """Change values in the state of the backup of the run writing ``out``."""
    state_file = backup_path(out) / STATE_FILE
    state_file.write_text(json.dumps({**json.loads(state_file.read_text()), **changes}))


class InterruptAfter(keras.callbacks.Callback):
    """Ends a run as Ctrl-C would, at the end of epoch ``epochs`` (after fit's own callbacks)."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            raise KeyboardInterrupt


@pytest.fixture(scope="module")
def data(plates32):
    images, texts = plates32
    images = images[:, :, :, None]
    alphabet = Alphabet.from_texts(texts)
    return images, texts, alphabet


def make_batches(data):
    images, texts, alphabet = data
    train = Batches(images[:24], texts[:24], alphabet, 15, batch_size=12, shuffle=True, seed=0)
    val = Batches(images[24:], texts[24:], alphabet, 15, batch_size=8)
    return train, val


@pytest.fixture(scope="module")
def first_run(data, tmp_path_factory):
    """One epoch of training on 24 plates (8 for validation) of a tiny CRNN."""
    keras.utils.set_random_seed(0)
    out = tmp_path_factory.mktemp("run") / "model.keras"
    crnn = build_crnn(data[2], **TINY)
    train, val = make_batches(data)
    history = fit(crnn, train, val, out, epochs=1, verbose=0)
    return crnn, history, out


@pytest.fixture(scope="module")
def resumed(data, first_run, tmp_path_factory):
    """A copy of the first run, its backup recording a best val_loss of 0 (no later epoch can beat
    it), resumed for one more epoch with resume=True."""
    out = tmp_path_factory.mktemp("resumed") / "model.keras"
    copy_run(first_run[2], out)
    edit_backup(out, best=0.0)
    crnn = build_crnn(data[2], **TINY)
    train, val = make_batches(data)
    history = fit(crnn, train, val, out, epochs=2, resume=True, verbose=0)
    return crnn, history, out


def test_last_checkpoint_sits_beside_the_best_one(tmp_path):
    assert last_checkpoint_path(tmp_path / "m.keras") == tmp_path / "m.last.keras"


def test_fit_writes_best_and_last_checkpoints_that_load(first_run, data):
    crnn, history, out = first_run
    assert history.epoch == [0]
    for path in (out, last_checkpoint_path(out)):
        recognizer = Recognizer.load(path)
        assert recognizer.alphabet == data[2]
        assert recognizer.input_shape == (64, 128, 1)
        assert recognizer.metadata["epoch"] == 1
    assert leftovers(out.parent, run_files(out)) == set()
    assert {path.name for path in backup_path(out).iterdir()} == {STATE_FILE, "epoch-1.weights.h5"}


def test_best_checkpoint_predicts_like_the_trained_model(first_run, data):
    crnn, _, out = first_run
    images = data[0][:4] / np.float32(255)
    expected = keras.ops.convert_to_numpy(crnn.inference_model(images, training=False))
    np.testing.assert_allclose(Recognizer.load(out).predict_proba(data[0][:4]), expected, rtol=1e-5, atol=1e-6)


def test_fit_returns_with_the_best_weights_not_the_last_epochs(resumed, data):
    crnn, _, out = resumed
    images = data[0][:4]
    ours = Recognizer(crnn.inference_model, crnn.alphabet).predict_proba(images)
    np.testing.assert_allclose(ours, Recognizer.load(out).predict_proba(images), rtol=1e-5, atol=1e-6)
    assert not np.allclose(ours, Recognizer.load(last_checkpoint_path(out)).predict_proba(images), atol=1e-6)


def test_training_history_holds_losses_and_decoded_scores(first_run):
    _, history, out = first_run
    logs = history.history
    for key in ("loss", "val_loss", "val_sequence_accuracy", "val_cer"):
        assert key in logs and len(logs[key]) == 1
        assert np.isfinite(logs[key][0])
    assert 0.0 <= logs["val_sequence_accuracy"][0] <= 1.0
    assert logs["val_cer"][0] >= 0.0
    assert logs["loss"][0] > 0.0
    # The checkpoint records the scores of its epoch.
    assert metadata(out)["logs"]["val_cer"] == pytest.approx(logs["val_cer"][0])


def test_resume_continues_from_the_last_checkpoints_epoch(resumed):
    _, history, _ = resumed
    assert history.epoch == [1]
    assert len(history.history["loss"]) == 1


def test_resume_writes_the_next_epoch_to_the_last_checkpoint(resumed):
    _, _, out = resumed
    assert metadata(last_checkpoint_path(out))["epoch"] == 2


def test_resume_keeps_a_best_checkpoint_that_the_new_epochs_do_not_beat(resumed):
    # The backup recorded a best val_loss of 0.0; the resumed epoch (a CTC loss, > 0) is worse, so
    # the best checkpoint must still be the one from epoch 1.
    _, history, out = resumed
    assert history.history["val_loss"][0] > 0.0
    assert metadata(out)["epoch"] == 1


def test_resume_with_a_different_alphabet_raises_model_file_error_naming_both(first_run, data, tmp_path):
    out = tmp_path / "model.keras"
    copy_run(first_run[2], out)
    crnn = build_crnn("abc", **TINY)
    images = data[0][:4]
    train = Batches(images, ["ab", "c", "a", "b"], crnn.alphabet, 15, batch_size=4)
    with pytest.raises(ModelFileError, match=f"alphabet was '{data[2].chars}', now 'abc'"):
        fit(crnn, train, train, out, epochs=2, resume=True, verbose=0)


def test_resume_with_other_run_values_raises_model_file_error_naming_each(first_run, data, tmp_path):
    out = tmp_path / "model.keras"
    copy_run(first_run[2], out)
    edit_backup(out, run={**read_backup(backup_path(out))["run"], "--data": "plates", "--seed": 0})
    train, val = make_batches(data)
    with pytest.raises(ModelFileError, match="--data was 'plates', now 'lines'; --seed was 0, now 1"):
        fit(build_crnn(data[2], **TINY), train, val, out, epochs=2, resume=True, verbose=0,
            run={"--data": "lines", "--seed": 1})


def test_resume_of_a_run_that_early_stopping_ended_trains_no_more(first_run, data, tmp_path):
    out = tmp_path / "model.keras"
    copy_run(first_run[2], out)
    edit_backup(out, stopped=True)
    train, val = make_batches(data)
    history = fit(build_crnn(data[2], **TINY), train, val, out, epochs=5, resume=True, verbose=0)
    assert history.epoch == []
    assert metadata(last_checkpoint_path(out))["epoch"] == 1


def augmented_run(data, out, epochs=4, interrupt_after=None, resume=False):
    """A tiny CRNN fit on shuffled, augmented plates with the plateau schedule; the CRNN it ends with."""
    images, texts, alphabet = data
    keras.utils.set_random_seed(0)
    crnn = build_crnn(alphabet, **TINY)
    train = Batches(images[:24], texts[:24], alphabet, 15, batch_size=8, shuffle=True, augment=True, seed=3)
    val = Batches(images[24:], texts[24:], alphabet, 15, batch_size=8)
    try:
        fit(crnn, train, val, out, epochs=epochs, patience=2, resume=resume, verbose=0,
            callbacks=[InterruptAfter(interrupt_after)] if interrupt_after else [])
    except KeyboardInterrupt:
        assert interrupt_after
    return crnn


def test_an_interrupted_and_resumed_run_ends_as_the_uninterrupted_run_does(data, tmp_path):
    # Same weights, optimizer state (Adam's moments, iteration count, learning rate), best val_loss and
    # callback states: the resumed epochs drew the batches and augmentations the straight run drew.
    straight = augmented_run(data, tmp_path / "straight" / "m.keras")
    augmented_run(data, tmp_path / "resumed" / "m.keras", interrupt_after=2)
    assert read_backup(backup_path(tmp_path / "resumed" / "m.keras"))["epoch"] == 2
    resumed = augmented_run(data, tmp_path / "resumed" / "m.keras", resume=True)
    for name in ("straight", "resumed"):
        assert read_backup(backup_path(tmp_path / name / "m.keras"))["epoch"] == 4
    for ours, theirs in zip(straight.training_model.optimizer.variables, resumed.training_model.optimizer.variables):
        np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5, atol=1e-6)
    for path in (lambda out: out, last_checkpoint_path):
        weights = [Recognizer.load(path(tmp_path / name / "m.keras")).model.get_weights() for name in ("straight", "resumed")]
        for ours, theirs in zip(*weights):
            np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    straight_state, resumed_state = (read_backup(backup_path(tmp_path / name / "m.keras")) for name in ("straight", "resumed"))
    assert resumed_state["best"] == pytest.approx(straight_state["best"], rel=1e-5)
    for name, state in straight_state["callbacks"].items():
        assert resumed_state["callbacks"][name] == pytest.approx(state, rel=1e-5)


def test_checkpoint_puts_back_the_state_of_early_stopping_and_the_plateau_schedule(tmp_path):
    crnn = build_crnn("ab", **TINY)
    crnn.training_model.compile(optimizer="adam", loss=model_output_as_loss)  # the plateau schedule reads its learning rate
    crnn.training_model.stop_training = False  # as fit sets it
    path = tmp_path / "m.keras"
    kept = [keras.callbacks.EarlyStopping(patience=5), keras.callbacks.ReduceLROnPlateau(patience=3)]
    checkpoint = Checkpoint(crnn, path, keep=kept)
    for callback in (*kept, checkpoint):
        callback.set_model(crnn.training_model)
        callback.on_train_begin()
    for epoch, val_loss in enumerate([4.0, 3.0, 3.5, 3.7]):
        for callback in (*kept, checkpoint):
            callback.on_epoch_end(epoch, {"loss": 5.0, "val_loss": val_loss})
    fresh = [keras.callbacks.EarlyStopping(patience=5), keras.callbacks.ReduceLROnPlateau(patience=3)]
    again = Checkpoint(crnn, path, keep=fresh, resume=read_backup(backup_path(path)))
    for callback in (*fresh, again):  # fit's order: the kept callbacks reset themselves first
        callback.set_model(crnn.training_model)
        callback.on_train_begin()
    assert (fresh[0].wait, fresh[0].best, fresh[0].best_epoch) == (2, 3.0, 1)
    assert (fresh[1].wait, fresh[1].best) == (2, 3.0)
    assert again.best == 3.0


class PoisonedBatches(Batches):
    """Batches whose second batch of the second epoch is all NaN."""

    def __getitem__(self, index):
        inputs, targets = super().__getitem__(index)
        if (self.epoch, index) == (1, 1):
            inputs["image"] = np.full_like(inputs["image"], np.nan)
        return inputs, targets


def test_a_nan_loss_stops_training_naming_epoch_and_batch_and_never_reaches_a_checkpoint(data, tmp_path):
    images, texts, alphabet = data
    out = tmp_path / "m.keras"
    keras.utils.set_random_seed(0)
    crnn = build_crnn(alphabet, **TINY)
    train = PoisonedBatches(images[:24], texts[:24], alphabet, 15, batch_size=8, shuffle=True, seed=0)
    val = Batches(images[24:], texts[24:], alphabet, 15, batch_size=8)
    with pytest.raises(TrainingDivergedError, match=r"epoch 2, batch 2 of 3.*keep epoch 1.*lower learning rate"):
        fit(crnn, train, val, out, epochs=3, verbose=0)
    for path in (out, last_checkpoint_path(out)):
        recognizer = Recognizer.load(path)
        assert recognizer.metadata["epoch"] == 1
        assert all(np.isfinite(w).all() for w in recognizer.model.get_weights())
    assert read_backup(backup_path(out))["epoch"] == 1
    assert all(np.isfinite(w).all() for w in crnn.inference_model.get_weights())


def test_fit_rejects_labels_too_long_for_the_model_before_training(data, tmp_path):
    images, _, _ = data
    crnn = build_crnn("a", **TINY)
    long_label = "a" * 17  # needs 17 + 16 = 33 time steps, one more than the model has
    train = Batches(images[:2], ["a", "aa"], crnn.alphabet, 20, batch_size=2)
    val = Batches(images[2:3], [long_label], crnn.alphabet, 20, batch_size=1)
    with pytest.raises(LabelTooLongError, match=long_label):
        fit(crnn, train, val, tmp_path / "m.keras", epochs=1, verbose=0)
    assert not (tmp_path / "m.keras").exists()


# --- callbacks on their own, with a stand-in model ------------------------------------------------

ALPHABET = Alphabet("0123456789")


class LookupModel:
    """Stands in for the inference model: image i (filled with value i) reads as texts[i]."""

    input_shape = (None, 64, 128, 1)

    def __init__(self, texts, time_steps=12):
        self.output_shape = (None, time_steps, ALPHABET.num_classes)
        self.table = {}
        for value, text in enumerate(texts):
            path = []
            for char in text:
                path += [ALPHABET.encode(char)[0], 0]
            path += [0] * (time_steps - len(path))
            probs = np.full((time_steps, ALPHABET.num_classes), 0.01, np.float32)
            probs[np.arange(time_steps), path] = 0.9
            self.table[value] = probs

    def __call__(self, images, training=False):
        values = np.round(np.asarray(images)[:, 0, 0, 0] * 255).astype(int)
        return np.stack([self.table[v] for v in values])

    predict_on_batch = __call__

    def predict(self, images, batch_size=None, verbose=None):
        return self(images)


def numbered(n):
    return np.broadcast_to(np.arange(n, dtype=np.uint8)[:, None, None, None], (n, 64, 128, 1)).copy()


def decode_logs(model_texts, truths, **batch_options):
    crnn = CRNN(LookupModel(model_texts), None, ALPHABET)
    val = Batches(numbered(len(truths)), truths, ALPHABET, 15, **batch_options)
    logs = {}
    DecodeCallback(crnn, val, verbose=False).on_epoch_end(0, logs)
    return logs


def test_decode_callback_scores_every_validation_image():
    truths = ["12", "34", "56", "78", "90"]
    logs = decode_logs(["12", "34", "5", "99", "90"], truths, batch_size=2)
    assert logs["val_sequence_accuracy"] == pytest.approx(3 / 5)
    assert logs["val_cer"] == pytest.approx((0 + 0 + 1 + 2 + 0) / 10)


def test_decode_callback_with_a_prefix_logs_its_own_keys_and_leaves_the_validation_keys_alone():
    crnn = CRNN(LookupModel(["12", "3"]), None, ALPHABET)
    logs = {"val_sequence_accuracy": 0.25}
    DecodeCallback(crnn, Batches(numbered(2), ["12", "34"], ALPHABET, 15), verbose=False, prefix="real").on_epoch_end(0, logs)
    assert logs == {"val_sequence_accuracy": 0.25, "real_sequence_accuracy": 0.5, "real_cer": pytest.approx(0.25)}


def test_decode_callback_prints_truth_and_prediction_pairs(capsys):
    crnn = CRNN(LookupModel(["12", "3"]), None, ALPHABET)
    val = Batches(numbered(2), ["12", "34"], ALPHABET, 15)
    DecodeCallback(crnn, val, verbose=True).on_epoch_end(4, {})
    out = capsys.readouterr().out
    assert "epoch 5" in out and "12->12" in out and "34->3 x" in out


def test_decode_callback_matches_predictions_to_truths_when_validation_is_shuffled():
    texts = [str(i) * 2 for i in range(10)]
    logs = decode_logs(texts, texts, batch_size=3, shuffle=True, seed=2)
    assert logs["val_sequence_accuracy"] == 1.0
    assert logs["val_cer"] == 0.0


def test_checkpoint_writes_best_only_on_improvement_and_last_every_epoch(tmp_path):
    crnn = build_crnn("ab", **TINY)
    path = tmp_path / "m.keras"
    checkpoint = Checkpoint(crnn, path)
    checkpoint.set_model(crnn.training_model)
    crnn.training_model.stop_training = False  # as fit sets it
    for epoch, val_loss, best_epoch in [(0, 2.0, 1), (1, 3.0, 1), (2, 1.0, 3)]:
        checkpoint.on_epoch_end(epoch, {"val_loss": val_loss, "loss": 5.0})
        assert metadata(path)["epoch"] == best_epoch
        assert metadata(last_checkpoint_path(path))["epoch"] == epoch + 1
    assert metadata(path)["logs"] == {"val_loss": 1.0, "loss": 5.0}
    assert metadata(path)["alphabet"] == "ab"
    assert leftovers(tmp_path, {"m.keras", "m.last.keras", "m.backup"}) == set()




def test_extra_callbacks_run_every_epoch_after_the_decoded_scores_are_logged(data, tmp_path):
    class Record(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.logs = []

        def on_epoch_end(self, epoch, logs=None):
            self.logs.append(dict(logs))

    record = Record()
    train, val = make_batches(data)
    fit(build_crnn(data[2], **TINY), train, val, tmp_path / "m.keras", epochs=2, verbose=0, callbacks=[record])
    assert len(record.logs) == 2 and all("val_sequence_accuracy" in logs for logs in record.logs)
