"""The domain imports only the standard library and itself, and reads no clock of its own."""

import ast
import sys
from pathlib import Path

import pytest

import freelancer_desk.domain

DOMAIN = Path(freelancer_desk.domain.__file__).parent
MODULES = sorted(DOMAIN.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_imports(path):
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree), "every module says what it is for"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or name.startswith("freelancer_desk.domain"), name


@pytest.mark.parametrize("path", [p for p in MODULES if p.name != "clock.py"], ids=lambda p: p.name)
def test_only_the_clock_reads_the_time(path):
    text = path.read_text()
    for call in ("datetime.now(", ".utcnow(", "time.time(", "date.today("):
        assert call not in text, f"{path.name} calls {call}"
