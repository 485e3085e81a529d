"""Data-parallel training on two replicas (the CPU split in two, on TensorFlow and on JAX) and mixed precision."""
import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from ocrlib.cli import main
from ocrlib.data.batches import Batches
from ocrlib.data.folder import write_folder
from ocrlib.distribute import mixed_precision
from ocrlib.model import build_crnn
from ocrlib.recognizer import Recognizer
from ocrlib.train import fit
from tests.helpers import TINY

# Run in a fresh interpreter: the CPU can only be split before the backend starts. Trains the same
# TINY CRNN on the same batches twice, on one device and data-parallel, and reports the loss curves
# and where the copies of the first kernel live.
SCRIPT = """
import json, sys, tempfile
from contextlib import nullcontext
import numpy as np
import keras
if keras.backend.backend() == "tensorflow":
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from ocrlib.data.batches import Batches
from ocrlib.data.plates import generate_plates
from ocrlib.distribute import data_parallel
from ocrlib.model import build_crnn
from ocrlib.train import fit
from tests.helpers import TINY

def copies(variable):
    value = variable.value
    if hasattr(value, "values"):  # a tf.distribute MirroredVariable: one tf.Variable per replica
        return {v.device: v.numpy() for v in value.values}
    if hasattr(value, "addressable_shards"):  # a jax.Array: one shard per device holding it
        return {str(shard.device): np.asarray(shard.data) for shard in value.addressable_shards}
    return {value.device: value.numpy()}  # a plain tf.Variable

images, texts = generate_plates(96, seed=0)
report = {}
for name, (scope, replicas) in (("one", (nullcontext(), 1)), ("two", data_parallel())):
    keras.utils.set_random_seed(0)
    with scope:
        crnn = build_crnn("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", **TINY)
        kernel = crnn.inference_model.trainable_weights[0]
        initial = np.array(kernel.numpy())
        train = Batches(images[:64], texts[:64], crnn.alphabet, crnn.max_label_length, 16, shuffle=True, seed=0)
        val = Batches(images[64:], texts[64:], crnn.alphabet, crnn.max_label_length, 16)
        history = fit(crnn, train, val, tempfile.mkdtemp() + "/m.keras", epochs=4, learning_rate=3e-3,
                      schedule="cosine", verbose=0)
        trained = copies(kernel)
    report[name] = {"replicas": replicas, "loss": history.history["loss"], "devices": sorted(trained),
                    "copies_equal": all(np.array_equal(c, next(iter(trained.values()))) for c in trained.values()),
                    "moved": bool(all(np.abs(c - initial).max() > 1e-3 for c in trained.values()))}
print(json.dumps(report))
"""


def run_two_replicas(backend: str) -> dict:
    environment = {**os.environ, "KERAS_BACKEND": backend, "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
                   "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=environment, capture_output=True, text=True,
                            cwd=Path(__file__).parent.parent, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_data_parallel_uses_both_replicas_and_follows_the_one_device_loss_curve(backend):
    report = run_two_replicas(backend)
    one, two = report["one"], report["two"]
    assert two["replicas"] == 2 and len(two["devices"]) == 2, two
    assert two["copies_equal"] and two["moved"], "both copies must take every update"
    for curve in (one["loss"], two["loss"]):
        assert np.all(np.diff(curve) < 0), curve
    # Same weights, same global batches: the curves agree (measured: within 0.2% on TensorFlow, whose
    # batch-norm statistics are per replica, and to the digit on JAX).
    np.testing.assert_allclose(two["loss"], one["loss"], rtol=0.02)


def test_mixed_precision_computes_in_float16_with_softmax_and_ctc_in_float32(plates32, tmp_path):
    images, texts = plates32
    with mixed_precision():
        crnn = build_crnn("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", **TINY)
        convolution = next(layer for layer in crnn.inference_model.layers if isinstance(layer, keras.layers.Conv2D))
        assert (convolution.compute_dtype, convolution.variable_dtype) == ("float16", "float32")
        assert crnn.inference_model.output.dtype == "float32"
        assert crnn.training_model.output.dtype == "float32"
        batches = Batches(images, texts, crnn.alphabet, crnn.max_label_length, 16)
        history = fit(crnn, batches, batches, tmp_path / "mixed.keras", epochs=1, verbose=0)
        assert isinstance(crnn.training_model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert np.isfinite(history.history["loss"]).all()
    assert keras.config.dtype_policy().name == "float32"


def test_cli_trains_data_parallel_in_mixed_precision_and_the_model_reads(plates32, tmp_path, capsys):
    data = write_folder(tmp_path / "plates", *plates32)
    model = tmp_path / "plates.keras"
    code = main(["train", "--data", str(data), "--val-split", "0.25", "--epochs", "1", "--batch-size", "4",
                 "--distribute", "mirrored", "--mixed-precision", "--out", str(model)])
    assert code == 0
    assert "data-parallel on 1 replicas: batches of 4 x 1" in capsys.readouterr().out  # one CPU: one replica
    assert keras.config.dtype_policy().name == "float32"
    recognizer = Recognizer.load(model)
    assert recognizer.predict_proba(plates32[0][:2]).dtype == np.float32
