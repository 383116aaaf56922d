"""Every service has the same shape (issue 13): the same modules, each with one meaning, and
thin entrypoints — a gRPC method body of at most 15 lines, a Nameko handler of at most 5."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "services"
NAMES = ("intake", "routing", "approval", "delivery", "sla", "staff")
MODULES = ("api.py", "handlers.py", "repository.py", "messages.py", "config.py")
NAMEKO = ("intake", "routing", "approval", "delivery", "sla")  # the services with an event half


def body_lines(fn: ast.FunctionDef) -> int:
    """Lines of a function's body, its docstring left out."""
    body = fn.body[1:] if fn.body and isinstance(fn.body[0], ast.Expr) and isinstance(
        getattr(fn.body[0], "value", None), ast.Constant) and isinstance(fn.body[0].value.value, str) else fn.body
    return body[-1].end_lineno - body[0].lineno + 1 if body else 0


def methods(path: Path, decorator: str):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(decorator in ast.unparse(d) for d in node.decorator_list):
            yield node


@pytest.mark.parametrize("name", NAMES)
def test_every_service_has_the_same_modules(name):
    expected = MODULES + (("service.py",) if name in NAMEKO else ())
    missing = [m for m in expected if not (SERVICES / name / m).exists()]
    assert missing == [], f"services/{name} lacks {missing}"


@pytest.mark.parametrize("name", NAMES)
def test_grpc_methods_are_thin(name):
    fat = [(f.name, body_lines(f)) for f in methods(SERVICES / name / "api.py", "grpcutil.unary")
           if body_lines(f) > 15]
    assert fat == []


@pytest.mark.parametrize("name", NAMEKO)
def test_nameko_handlers_are_thin(name):
    path = SERVICES / name / "service.py"
    fat = [(f.name, body_lines(f)) for dec in ("case_event_handler", "timer", "event_handler")
           for f in methods(path, dec) if body_lines(f) > 5]
    assert fat == []


def test_simulators_live_outside_the_services():
    assert not (SERVICES / "carrier").exists()


@pytest.mark.parametrize("name", NAMES)
def test_the_grpc_half_lives_in_api_py_and_the_event_half_in_service_py(name):
    elsewhere = [(p.name, f.name) for p in (SERVICES / name).glob("*.py") if p.name != "api.py"
                 for f in methods(p, "grpcutil.unary")]
    elsewhere += [(p.name, f.name) for p in (SERVICES / name).glob("*.py") if p.name != "service.py"
                  for dec in ("case_event_handler", "timer") for f in methods(p, dec)]
    assert elsewhere == []
