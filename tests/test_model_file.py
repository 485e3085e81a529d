import json
import zipfile

import pytest

from ocrlib.errors import ModelFileError
from ocrlib.model_file import (MAX_METADATA_BYTES, METADATA_KEY, read_metadata, read_onnx_metadata,
                               read_tflite_metadata, tflite_metadata_path, write_metadata)


def metadata_of_size(size: int) -> dict:
    """Valid metadata whose JSON is exactly ``size`` bytes, padded by a note."""
    padding = size - len(json.dumps({"alphabet": "ab", "note": ""}))
    return {"alphabet": "ab", "note": "x" * padding}


def model_file(path, metadata: dict):
    """A zip holding only ``metadata`` as ocrlib's entry: all ``read_metadata`` looks at."""
    zipfile.ZipFile(path, "w").close()
    write_metadata(path, metadata)
    return path


def test_metadata_of_the_largest_size_allowed_is_read_back(tmp_path):
    metadata = metadata_of_size(MAX_METADATA_BYTES)
    assert read_metadata(model_file(tmp_path / "big.keras", metadata)) == metadata


def test_oversized_metadata_is_refused_naming_the_file_and_the_limit(tmp_path):
    path = model_file(tmp_path / "huge.keras", metadata_of_size(MAX_METADATA_BYTES + 1))
    expected = rf"huge.keras .*larger than {MAX_METADATA_BYTES} bytes"
    with pytest.raises(ModelFileError, match=expected):
        read_metadata(path)



def test_oversized_onnx_metadata_is_refused_naming_the_file(tmp_path):
    properties = {METADATA_KEY: json.dumps(metadata_of_size(MAX_METADATA_BYTES + 1))}
    with pytest.raises(ModelFileError, match=rf"huge.onnx .*larger than {MAX_METADATA_BYTES} bytes"):
        read_onnx_metadata(properties, tmp_path / "huge.onnx")


def test_oversized_tflite_sidecar_is_refused_naming_it(tmp_path):
    model = tmp_path / "huge.tflite"
    model.write_bytes(b"not read: the sidecar is refused first")
    tflite_metadata_path(model).write_text(json.dumps(metadata_of_size(MAX_METADATA_BYTES + 1)))
    with pytest.raises(ModelFileError, match=rf"huge.tflite.json .*larger than {MAX_METADATA_BYTES} bytes"):
        read_tflite_metadata(model)
