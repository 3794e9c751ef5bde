"""The project's apps depend on each other one way only (docs/architecture.md, STYLE.md):

    workflow <- agencies <- rubrics <- awards <- (scoring | surveys) <- awards.results <- api

Each app may use only the apps to its left; scoring and surveys do not use each other;
config is the top and may use anything; tests, bench and scripts are outside the graph.

The graph is read from the code with `ast`, not by importing it: every import statement
at any depth (inside functions too), `importlib.import_module("x")` with a literal, and
string references to models (`"scoring.Indicator"` in a ForeignKey, `to="scoring.indicator"`
and dependencies on another app's migrations in migrations, `apps.get_model("scoring",
"Indicator")`). Any arrow that runs the wrong way fails the test, with its file and line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Package -> layer. "awards.results" is its own layer inside the awards directory.
LAYERS = {
    "workflow": 0,
    "agencies": 1,
    "rubrics": 2,
    "awards": 3,
    "scoring": 4,
    "surveys": 4,
    "awards.results": 5,
    "api": 6,  # the JSON API: may use every app; only config imports it
    "config": 7,
}
# App labels (as used in model strings and migration dependencies) -> package.
LABELS = {
    "workflow": "workflow",
    "agencies": "agencies",
    "rubrics": "rubrics",
    "awards": "awards",
    "scoring": "scoring",
    "surveys": "surveys",
    "results": "awards.results",
    "api": "api",
}
MODEL_STRING = re.compile(r"^(?P<label>[a-z_]+)\.(?P<model>[A-Za-z_][A-Za-z0-9_]*)$")


def app_of_module(dotted: str) -> str | None:
    """The app a dotted module name belongs to, or None for a module outside the graph."""
    if dotted == "awards.results" or dotted.startswith("awards.results."):
        return "awards.results"
    head = dotted.split(".", 1)[0]
    return head if head in LAYERS else None


def allowed(source: str, target: str) -> bool:
    if source == target or source == "config":
        return True
    if target == "config":
        return False
    return LAYERS[target] < LAYERS[source]


def project_files():
    for package in LAYERS:
        if package == "awards.results":
            continue  # walked as part of awards/
        for path in sorted((ROOT / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve_relative(path: Path, module: str | None, level: int) -> str:
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join(base + ([module] if module else []))


def is_model_or_migration(path: Path) -> bool:
    return path.name == "models.py" or "models" in path.parts or "migrations" in path.parts


def string_value(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def arrows(path: Path):
    """Yield (line, target module or app, how) for every dependency found in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    models_or_migrations = is_model_or_migration(path)
    in_migration = "migrations" in path.parts
    # `replaces = [("scoring", "0001_initial")]` records a migration's former name; it is
    # not a dependency (rubrics.0001_initial replaces the scoring migration it came from).
    renamed = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "replaces" for t in node.targets)
        for inner in ast.walk(node.value)
    }
    for node in ast.walk(tree):
        if id(node) in renamed:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, app_of_module(alias.name), f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                target = resolve_relative(path, node.module, node.level)
            else:
                target = node.module or ""
            for alias in node.names:
                # `from awards import results` imports awards.results.
                yield (
                    node.lineno,
                    app_of_module(f"{target}.{alias.name}") or app_of_module(target),
                    f"from {'.' * node.level}{node.module or ''} import {alias.name}",
                )
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            args = [string_value(a) for a in node.args]
            if name == "import_module" and args and args[0]:
                yield node.lineno, app_of_module(args[0]), f"import_module({args[0]!r})"
            elif name == "get_model" and args and args[0]:
                label = args[0].split(".", 1)[0]
                if label in LABELS:
                    yield node.lineno, LABELS[label], f"get_model({args[0]!r})"
        elif in_migration and isinstance(node, ast.Tuple) and len(node.elts) == 2:
            label, name = (string_value(e) for e in node.elts)
            if label in LABELS and name and re.match(r"^\d{4}_", name):
                yield node.lineno, LABELS[label], f"migration dependency ({label!r}, {name!r})"
        if models_or_migrations and (value := string_value(node)):
            match = MODEL_STRING.match(value)
            if match and match["label"] in LABELS and not match["model"].startswith("0"):
                # Only a model reference: "scoring.Indicator" or to="scoring.indicator".
                yield node.lineno, LABELS[match["label"]], f"model reference {value!r}"


def violations():
    found = []
    for path in project_files():
        source = app_of_module(module_name(path))
        for line, target, how in arrows(path):
            if target is None or allowed(source, target):
                continue
            found.append(f"{path.relative_to(ROOT)}:{line}: {source} -> {target} ({how})")
    return sorted(set(found))


def test_apps_depend_on_lower_layers_only():
    found = violations()
    assert not found, "Arrows against the layers:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "target", "ok"),
    [
        ("awards", "rubrics", True),
        ("rubrics", "awards", False),
        ("scoring", "surveys", False),
        ("surveys", "scoring", False),
        ("awards.results", "scoring", True),
        ("awards", "awards.results", False),
        ("workflow", "agencies", False),
        ("config", "awards.results", True),
        ("agencies", "config", False),
        ("api", "awards.results", True),
        ("api", "scoring", True),
        ("awards.results", "api", False),
        ("api", "config", False),
        ("config", "api", True),
    ],
)
def test_the_layer_order(source, target, ok):
    assert allowed(source, target) is ok


def test_the_reader_sees_every_kind_of_arrow(tmp_path, monkeypatch):
    """The graph reader finds lazy imports, import_module literals, model strings and
    migration dependencies, so a wrong arrow cannot hide in any of them."""
    app = tmp_path / "awards"
    (app / "migrations").mkdir(parents=True)
    (app / "services.py").write_text(
        "import importlib\n"
        "def f():\n"
        "    from scoring.models import Score\n"
        "    return importlib.import_module('surveys.services')\n"
        "from .results import compilation\n"
    )
    (app / "models.py").write_text("x = models.ForeignKey('scoring.Indicator')\n")
    (app / "migrations" / "0009_x.py").write_text(
        "dependencies = [('scoring', '0001_initial')]\nops = [dict(to='scoring.indicator')]\n"
    )
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    found = sorted(
        (path.name, line, target, how)
        for path in sorted(app.rglob("*.py"))
        for line, target, how in arrows(path)
        if target and not allowed("awards", target)
    )
    assert found == [
        ("0009_x.py", 1, "scoring", "migration dependency ('scoring', '0001_initial')"),
        ("0009_x.py", 2, "scoring", "model reference 'scoring.indicator'"),
        ("models.py", 1, "scoring", "model reference 'scoring.Indicator'"),
        ("services.py", 3, "scoring", "from scoring.models import Score"),
        ("services.py", 4, "surveys", "import_module('surveys.services')"),
        ("services.py", 5, "awards.results", "from .results import compilation"),
    ]
