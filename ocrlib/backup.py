"""The backup of a training run: what ``fit(resume=True)`` needs to go on exactly where the run stopped.

A run writing ``M.keras`` keeps its backup in the folder ``M.backup/``, rewritten after every complete
epoch whose losses are finite:

- ``epoch-N.weights.h5``: the training model's weights and the optimizer's state (Adam's moments, its
  iteration count and learning rate), as Keras' ``save_weights`` writes them. Internal: the model for
  users is ``M.keras``, which holds no Lambda layer and loads with ``safe_mode=True``.
- ``state.json``: the epoch N, the weights file's name, what defines the run (alphabet, input size and
  whatever else ``fit`` was given as ``run``, e.g. the data folders), the state of the callbacks that
  have one (early stopping's counter and best value, the plateau schedule's), and whether early stopping
  ended the run. It is written last, atomically, so it always names a complete weights file.

Needs no Keras to import: the command line reads a backup to say where a run stands.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ocrlib.atomic import atomic_target
from ocrlib.errors import ModelFileError

STATE_FILE = "state.json"


def backup_path(out: str | Path) -> Path:
    """The backup folder of the run that writes ``out``: ``M.keras`` -> ``M.backup``."""
    out = Path(out)
    return out.with_name(f"{out.stem}.backup")


def write_backup(directory: Path, model: Any, state: dict) -> None:
    """Save ``model``'s weights with its optimizer's state and then ``state`` (JSON values, with an
    ``epoch``) into ``directory``, each file atomically; remove the weights of earlier epochs."""
    weights = f"epoch-{state['epoch']}.weights.h5"
    with atomic_target(directory / weights) as temporary:
        model.save_weights(temporary)
    with atomic_target(directory / STATE_FILE) as temporary:
        temporary.write_text(json.dumps({**state, "weights": weights}, default=float))  # float: NumPy numbers
    for old in directory.glob("epoch-*.weights.h5"):
        if old.name != weights:
            old.unlink()


def read_backup(directory: Path) -> dict | None:
    """The state of the backup in ``directory``, its ``weights`` made a path; None where there is none."""
    state_file = directory / STATE_FILE
    if not state_file.exists():
        return None
    try:
        state = json.loads(state_file.read_text())
        state["weights"] = directory / state["weights"]
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{state_file} is not the state of an ocrlib training run: {error!r}") from None
    return state


def run_differences(saved: dict, now: dict) -> list[str]:
    """What differs between the values that define two runs: ``"NAME was A, now B"`` for each name in
    either. ``now`` is compared as JSON would give it back (tuples as lists)."""
    now = json.loads(json.dumps(now))
    return [f"{name} was {saved.get(name)!r}, now {now.get(name)!r}"
            for name in sorted(saved.keys() | now.keys()) if saved.get(name) != now.get(name)]
