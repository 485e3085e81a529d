#!/usr/bin/env bash
# Run the ocrlib image on all GPUs with this repository mounted at /workspace.
#   docker/run.sh                  Jupyter on http://localhost:8888 (open the address it prints)
#   docker/run.sh make demo        a command instead, headless: it runs, prints, and the container exits
#   docker/run.sh python -m ocrlib train --data data/plates-train --out runs/plates.keras
# Notebooks train at full size (OCRLIB_FAST=0). $OCRLIB_IMAGE names the image, $OCRLIB_PORT the port.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
options=(--rm --gpus all --volume "$repo:/workspace" --workdir /workspace --env OCRLIB_FAST=0)
if [ "$#" -eq 0 ]; then
    options+=(--publish "${OCRLIB_PORT:-8888}:8888")
fi
if [ -t 0 ] && [ -t 1 ]; then
    options+=(--interactive --tty)
fi
exec docker run "${options[@]}" "${OCRLIB_IMAGE:-ocrlib:gpu}" "$@"
