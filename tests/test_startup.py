import os
import subprocess
import sys

from ocrlib.startup import tensorflow_start_up_hidden


def test_writes_to_stderr_are_dropped_within_the_block_and_kept_after_it(capfd, monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    with tensorflow_start_up_hidden():
        os.write(2, b"start-up noise\n")
    os.write(2, b"a real error\n")
    assert capfd.readouterr().err == "a real error\n"


def test_other_log_levels_leave_stderr_alone(capfd, monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
    with tensorflow_start_up_hidden():
        os.write(2, b"shown\n")
    assert capfd.readouterr().err == "shown\n"


def test_importing_ocrlib_with_level_3_writes_nothing_to_stderr():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", "import ocrlib"], env=env, capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == ""


def onednn_setting(**env) -> str:
    """What TF_ENABLE_ONEDNN_OPTS is after ``import ocrlib`` in a fresh process with ``env``."""
    environment = {key: value for key, value in os.environ.items() if key != "TF_ENABLE_ONEDNN_OPTS"} | env
    code = "import os, ocrlib; print(os.environ['TF_ENABLE_ONEDNN_OPTS'])"
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True).stdout.strip()


def test_ocrlib_turns_onednn_on_unless_the_user_chose():
    assert onednn_setting() == "1"
    assert onednn_setting(TF_ENABLE_ONEDNN_OPTS="0") == "0"


def test_keras_imported_after_ocrlib_with_level_3_writes_nothing_to_stderr():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    code = "import ocrlib, sys; assert 'keras' not in sys.modules; import keras; ocrlib.build_crnn('ab')"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == ""
