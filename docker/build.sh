#!/usr/bin/env bash
# Build the ocrlib GPU image, with your uid and gid so files the container writes stay yours.
#   docker/build.sh [extra docker build options]      (image name: $OCRLIB_IMAGE, default ocrlib:gpu)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
docker build \
    --file "$repo/docker/Dockerfile" \
    --build-arg "UID=$(id -u)" \
    --build-arg "GID=$(id -g)" \
    --tag "${OCRLIB_IMAGE:-ocrlib:gpu}" \
    "$@" \
    "$repo"
