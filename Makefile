# make demo: set up .venv, generate synthetic plates, train a CRNN on the CPU, report held-out accuracy
#   on synthetic plates and, where ../shared/data/real-plates-ar exists, on real ones, and compare it
#   with the shipped plates model (ocrlib/pretrained/plates.keras) where there is one.
# make test: unit tests and the notebooks under nbval (OCRLIB_FAST=1: small data, few epochs), then
#   the model, loss, training and decoder tests again on the JAX backend.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DEMO := runs/demo
REAL_PLATES := ../shared/data/real-plates-ar
OCRLIB := $(PY) -m ocrlib
BACKEND_TESTS := tests/test_model.py tests/test_ctc.py tests/test_train.py tests/test_recognizer.py \
	tests/test_decoders.py tests/test_batches.py tests/test_morphology.py tests/test_padding.py \
	tests/test_variable_width.py tests/test_batch_norm.py

.PHONY: demo test clean

$(INSTALLED): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -e .
	touch $@

demo: $(INSTALLED)
	rm -rf data/plates-train data/plates-test $(DEMO)
	$(OCRLIB) generate plates --n 16000 --seed 1 --out data/plates-train
	$(OCRLIB) generate plates --n 2000 --seed 2 --out data/plates-test
	$(OCRLIB) train --data data/plates-train --val-split 0.05 --out $(DEMO)/plates.keras
	$(OCRLIB) evaluate --model $(DEMO)/plates.keras --data data/plates-test --plot $(DEMO)/probabilities.png
	@if [ -d $(REAL_PLATES) ]; then \
		echo "the same model on the real plates of $(REAL_PLATES) (never trained on):"; \
		$(OCRLIB) evaluate --model $(DEMO)/plates.keras --data $(REAL_PLATES) --plot $(DEMO)/real.png; \
	else echo "no real plates at $(REAL_PLATES) (they sit beside the repository): real-plate score skipped"; fi
	@$(PY) scripts/compare_with_shipped.py $(DEMO)/plates.keras data/plates-test $(REAL_PLATES)
	@echo "model: $(DEMO)/plates.keras, probability matrices: $(DEMO)/probabilities*.png, $(DEMO)/real*.png"

test: $(INSTALLED)
	OCRLIB_FAST=1 $(PY) -m pytest tests notebooks --nbval-lax --sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider
	KERAS_BACKEND=jax $(PY) -m pytest $(BACKEND_TESTS) -p no:cacheprovider

clean:
	rm -rf $(VENV) runs data/plates-train data/plates-test
