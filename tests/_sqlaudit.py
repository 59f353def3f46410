"""Which SQL in a source tree is built from anything but constants (tests/test_security.py).

Every call of ``.execute``, ``.executemany``, ``.stream``, ``.script`` or ``.executescript`` is
found with :mod:`ast`, and its SQL argument is followed back through the code: it may be made of
string literals, names in capitals (module constants), placeholder builders (``_marks(n)``,
``",".join("?" * n)``), the string methods that keep a constant a constant (``join``,
``replace``, ``split``, ``strip``, indexing), local variables, loop variables and list items
that are themselves made so, values returned by a function of the same module, and parameters
whose every caller in that module passes such a value. Anything else (a parameter of a public
method, an attribute, a call to something unknown) is reported, unless listed in
:data:`TRUSTED`, so that interpolating a variable holding user data fails the audit.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

SINKS = frozenset({"execute", "executemany", "stream", "script", "executescript"})
#: Calls whose result is only question marks or a number, whatever the argument.
PLACEHOLDERS = frozenset({"_marks", "len"})
#: String methods that turn constants into constants.
STRING_METHODS = frozenset({"join", "replace", "split", "rsplit", "strip", "lower", "upper"})
_CONSTANT = re.compile(r"^_*[A-Z][A-Z0-9_]*$")

#: (file under the audited root, what) that cannot be followed by the audit and is trusted,
#: each with the reason. ``what`` is ``attr:NAME`` for an attribute, ``param:FUNC.NAME`` for a
#: parameter.
TRUSTED = {
    ("export/tables.py", "attr:count_sql"): "Table.count_sql: every Table(...) gives a literal",
    ("store/windowed.py", "param:top_number.table"): "checked against two fixed names first",
}


@dataclass
class Audit:
    calls: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class _Module:
    rel: str
    tree: ast.Module
    parents: dict[ast.AST, ast.AST]
    functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]]
    constants: dict[str, ast.expr]


def audit(root: Path) -> Audit:
    result = Audit()
    for path in sorted(root.rglob("*.py")):
        module = _load(root, path)
        for node in ast.walk(module.tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SINKS
                and node.args
            ):
                continue
            scope = _enclosing(module, node)
            if scope is not None and scope.name in SINKS:
                continue  # a database wrapper passing its own caller's SQL on
            result.calls += 1
            bad = _Checker(module).unsafe(node.args[0], scope)
            if bad:
                result.problems.append(f"{module.rel}:{node.lineno}: {bad}")
    return result


def _load(root: Path, path: Path) -> _Module:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.setdefault(node.name, []).append(node)
    constants: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            constants[node.target.id] = node.value
    return _Module(path.relative_to(root).as_posix(), tree, parents, functions, constants)


def _enclosing(module: _Module, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    while node in module.parents:
        node = module.parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
    return None


Scope = ast.FunctionDef | ast.AsyncFunctionDef | None


class _Checker:
    def __init__(self, module: _Module) -> None:
        self.m = module
        self.seen: set[tuple[int, str]] = set()
        self.bound: dict[str, tuple[ast.expr, Scope]] = {}

    def unsafe(self, e: ast.expr, scope: Scope) -> str | None:
        """Why ``e`` may hold something else than constant SQL, or ``None``."""
        if isinstance(e, ast.Constant):
            return None if isinstance(e.value, str | int | float | bool) else ast.unparse(e)
        if isinstance(e, ast.JoinedStr):
            return self._first(
                [v.value for v in e.values if isinstance(v, ast.FormattedValue)], scope
            )
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add | ast.Mult):
            return self._first([e.left, e.right], scope)
        if isinstance(e, ast.IfExp):
            return self._first([e.body, e.orelse], scope)
        if isinstance(e, ast.Tuple | ast.List):
            return self._first(list(e.elts), scope)
        if isinstance(e, ast.Subscript):
            return self.unsafe(e.value, scope)
        if isinstance(e, ast.Name):
            return self._name(e.id, scope)
        if isinstance(e, ast.GeneratorExp | ast.ListComp):
            for gen in e.generators:
                if isinstance(gen.target, ast.Name):
                    self.bound[gen.target.id] = (gen.iter, scope)
            return self.unsafe(e.elt, scope)
        if isinstance(e, ast.Call):
            return self._call(e, scope)
        if isinstance(e, ast.Attribute) and (self.m.rel, f"attr:{e.attr}") in TRUSTED:
            return None
        return ast.unparse(e)

    def _first(self, parts: list[ast.expr], scope: Scope) -> str | None:
        for part in parts:
            bad = self.unsafe(part, scope)
            if bad:
                return bad
        return None

    def _call(self, e: ast.Call, scope: Scope) -> str | None:
        func = e.func
        if isinstance(func, ast.Name) and func.id in PLACEHOLDERS:
            return None
        if isinstance(func, ast.Attribute) and func.attr in STRING_METHODS:
            return self._first([func.value, *e.args], scope)
        if isinstance(func, ast.Name) and func.id in ("tuple", "list", "str"):
            return self._first(list(e.args), scope)
        return ast.unparse(e)

    def _name(self, name: str, scope: Scope) -> str | None:
        key = (id(scope), name)
        if key in self.seen:
            return None
        self.seen.add(key)
        if name in self.bound:
            expr, where = self.bound[name]
            return self.unsafe(expr, where)
        if scope is not None:
            params = [a.arg for a in (*scope.args.posonlyargs, *scope.args.args)]
            kwonly = [a.arg for a in scope.args.kwonlyargs]
            sources = _assignments(scope, name)
            for expr, index in sources:
                bad = self._source(expr, index, scope)
                if bad:
                    return f"{name} = {bad}"
            # A parameter is checked even when reassigned: "+=" keeps what the caller gave.
            if name in params or name in kwonly:
                return self._parameter(scope, name, params)
            if sources:
                return None
        if _CONSTANT.match(name):
            return None  # a module constant, here or imported
        if name in self.m.constants:
            return self.unsafe(self.m.constants[name], None)
        return f"{name} (unknown)"

    def _source(self, expr: ast.expr, index: int | None, scope: Scope) -> str | None:
        """An assigned value; ``index``: the position taken by tuple unpacking."""
        if index is None:
            return self.unsafe(expr, scope)
        if isinstance(expr, ast.Tuple):
            return self.unsafe(expr.elts[index], scope)
        if isinstance(expr, ast.Subscript | ast.Name):
            return self.unsafe(expr, scope)
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            # Unpacking what a function of this module returns: each return's item.
            defs = self.m.functions.get(expr.func.id, [])
            if not defs:
                return ast.unparse(expr)
            for fn in defs:
                for ret in (n for n in ast.walk(fn) if isinstance(n, ast.Return)):
                    if not isinstance(ret.value, ast.Tuple):
                        return ast.unparse(expr)
                    bad = self.unsafe(ret.value.elts[index], fn)
                    if bad:
                        return bad
            return None
        return ast.unparse(expr)

    def _parameter(
        self, scope: ast.FunctionDef | ast.AsyncFunctionDef, name: str, params: list[str]
    ) -> str | None:
        if (self.m.rel, f"param:{scope.name}.{name}") in TRUSTED:
            return None
        position = params.index(name) if name in params else None
        if params and params[0] in ("self", "cls") and position is not None:
            position -= 1
        callers = 0
        for node in ast.walk(self.m.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called != scope.name:
                continue
            arg: ast.expr | None = next((k.value for k in node.keywords if k.arg == name), None)
            if arg is None and position is not None and position < len(node.args):
                arg = node.args[position]
            if arg is None:
                continue
            callers += 1
            bad = self.unsafe(arg, _enclosing(self.m, node))
            if bad:
                return f"parameter {scope.name}({name}) given {bad}"
        if callers == 0:
            return f"parameter {scope.name}({name}) with no caller in the module"
        return None


def _assignments(
    scope: ast.FunctionDef | ast.AsyncFunctionDef, name: str
) -> list[tuple[ast.expr, int | None]]:
    """What ``name`` is given in ``scope``: assignments (with the tuple position when
    unpacked), ``+=``, loop iterables (as a subscript: an item of them) and list appends."""
    out: list[tuple[ast.expr, int | None]] = []
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                out.extend(_bind(target, node.value, name))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
            out.extend(_bind(node.target, node.value, name))
        elif isinstance(node, ast.For | ast.comprehension):
            out.extend(_loop(node.target, node.iter, name))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "extend", "insert")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            out.extend((arg, None) for arg in node.args[-1:])
    return out


def _bind(target: ast.expr, value: ast.expr, name: str) -> list[tuple[ast.expr, int | None]]:
    if isinstance(target, ast.Name) and target.id == name:
        return [(value, None)]
    if isinstance(target, ast.Tuple):
        return [
            (value, i)
            for i, t in enumerate(target.elts)
            if isinstance(t, ast.Name) and t.id == name
        ]
    return []


def _loop(target: ast.expr, items: ast.expr, name: str) -> list[tuple[ast.expr, int | None]]:
    """What a loop variable takes: an item of the iterable (as a subscript of it), or, for
    ``for a, b in ((x, y), ...)``, the items' parts at its position."""
    if isinstance(target, ast.Name) and target.id == name:
        return [(ast.Subscript(items, ast.Constant(0)), None)]
    if not isinstance(target, ast.Tuple):
        return []
    out: list[tuple[ast.expr, int | None]] = []
    for i, t in enumerate(target.elts):
        if not (isinstance(t, ast.Name) and t.id == name):
            continue
        if isinstance(items, ast.Tuple | ast.List) and all(
            isinstance(item, ast.Tuple) for item in items.elts
        ):
            out.extend((item.elts[i], None) for item in items.elts)  # type: ignore[attr-defined]
        else:
            out.append((ast.Subscript(items, ast.Constant(0)), None))
    return out
