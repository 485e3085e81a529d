"""The package as a whole: what it imports is declared, and its modules import each other without a circle."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ocrlib"
# Top-level module -> the distribution that provides it, where the two names differ.
DISTRIBUTIONS = {"cv2": "opencv-python-headless", "PIL": "pillow"}
# Imported only by the commands and functions that need them; declared as extras.
OPTIONAL = {"tensorflow", "jax", "tf2onnx", "onnx", "onnxruntime"}


def imports(path: Path) -> set[str]:
    """Dotted names of the modules ``path`` imports, anywhere in it (in functions and TYPE_CHECKING too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def distribution(requirement: str) -> str:
    """``"opencv-python-headless>=4.9,<6  # why"`` -> ``"opencv-python-headless"``, normalised (PEP 503)."""
    return re.sub(r"[-_.]+", "-", re.match(r"\s*([A-Za-z0-9._-]+)", requirement).group(1)).lower()


def third_party_imports() -> set[str]:
    tops = {name.split(".")[0] for path in PACKAGE.rglob("*.py") for name in imports(path)}
    return {top for top in tops if top != "ocrlib" and top not in sys.stdlib_module_names}


def test_every_third_party_module_ocrlib_imports_is_declared_in_pyproject_and_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    required = {distribution(r) for r in project["dependencies"]}
    optional = {distribution(r) for extra in project["optional-dependencies"].values() for r in extra}
    listed = {distribution(line) for line in (ROOT / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    modules = third_party_imports()
    assert {"cv2", "PIL", "keras"} <= modules  # the scan finds imports at all
    for module in sorted(modules):
        name = DISTRIBUTIONS.get(module, module).lower()
        where = optional if module in OPTIONAL else required
        assert name in where, f"ocrlib imports {module} but pyproject.toml does not declare {name}"
        assert name in listed, f"ocrlib imports {module} but requirements.txt does not list {name}"


def import_graph() -> dict[str, set[str]]:
    """ocrlib module -> the ocrlib modules it imports (``from ocrlib.x import y`` counts as x, or x.y
    where y is a module)."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {imported for imported in imports(path) if imported in modules and imported != name}
            for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as [a, b, ..., a], or None. Depth-first search, colouring the path being walked."""
    done, path = set(), []

    def visit(node):
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        path.append(node)
        for neighbour in sorted(graph[node]):
            cycle = visit(neighbour)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        cycle = visit(start)
        if cycle:
            return cycle
    return None


def test_find_cycle_names_the_circle_of_a_small_graph():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_ocrlib_modules_import_each_other_without_a_circle():
    graph = import_graph()
    assert "ocrlib.recognizer" in graph["ocrlib.train"]  # the graph sees the package's imports
    cycle = find_cycle(graph)
    assert cycle is None, f"import circle: {' -> '.join(cycle)}"


def test_the_decoders_and_the_ctc_reference_import_without_keras_tensorflow_or_jax():
    code = "import sys, ocrlib.decoders, ocrlib.ctc_reference; print(' '.join(sys.modules))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    loaded = {name.split(".")[0] for name in completed.stdout.split()}
    assert {"ocrlib", "numpy"} <= loaded and not loaded & {"keras", "tensorflow", "jax"}
