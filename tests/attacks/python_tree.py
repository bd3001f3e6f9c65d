"""Compiles Python files as `python3 -m py_compile` does and prints their
syntax trees as JSON, simplified to what the export tests compare.

Usage: python3 python_tree.py FILE...

Prints one JSON list, an entry per file: {"file": ..., "tree": ...}, or
{"file": ..., "error": ...} when the file does not compile. Exits 0 either
way, so the caller can show which file failed and its source.

Expressions become:
  {"str": s} for a string constant, {"lit": repr} for other constants,
  {"name": n}, {"attr": "a.b.c"} for a dotted name, {"getattr": [e, n]},
  {"call": func, "args": [...], "kwargs": {...}}, {"list": [...]} for a
  list or tuple, {"dict": [[k, v], ...]}, {"sub": [value, index]},
  {"or": [left, right]} for `a | b`, {"other": node type}.
Statements become:
  {"doc": s} for a docstring, {"class": name, "bases", "kwargs", "body"},
  {"def": name, "body"}, {"assign": [names], "value"},
  {"ann": name, "annotation", "value"}, {"expr": e}, {"import": [names]},
  {"with": body}, {"other": node type}.
"""

import ast
import json
import py_compile
import sys


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return None if inner is None else inner + "." + node.attr
    return None


def expr(node):
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return {"str": node.value}
        return {"lit": repr(node.value)}
    if isinstance(node, ast.Name):
        return {"name": node.id}
    if isinstance(node, ast.Attribute):
        name = dotted(node)
        if name is not None:
            return {"attr": name}
        return {"getattr": [expr(node.value), node.attr]}
    if isinstance(node, ast.Call):
        return {
            "call": expr(node.func),
            "args": [expr(a) for a in node.args],
            "kwargs": {k.arg: expr(k.value) for k in node.keywords},
        }
    if isinstance(node, (ast.List, ast.Tuple)):
        return {"list": [expr(e) for e in node.elts]}
    if isinstance(node, ast.Dict):
        return {"dict": [[expr(k), expr(v)] for k, v in zip(node.keys, node.values)]}
    if isinstance(node, ast.Subscript):
        return {"sub": [expr(node.value), expr(node.slice)]}
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return {"or": [expr(node.left), expr(node.right)]}
    return {"other": type(node).__name__}


def target_names(targets):
    names = []
    for t in targets:
        if isinstance(t, ast.Name):
            names.append(t.id)
        else:
            names.append(ast.dump(t))
    return names


def body(nodes):
    out = []
    for i, node in enumerate(nodes):
        if (
            i == 0
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            out.append({"doc": node.value.value})
        elif isinstance(node, ast.ClassDef):
            out.append(
                {
                    "class": node.name,
                    "bases": [expr(b) for b in node.bases],
                    "kwargs": {k.arg: expr(k.value) for k in node.keywords},
                    "body": body(node.body),
                }
            )
        elif isinstance(node, ast.FunctionDef):
            out.append({"def": node.name, "body": body(node.body)})
        elif isinstance(node, ast.Assign):
            out.append({"assign": target_names(node.targets), "value": expr(node.value)})
        elif isinstance(node, ast.AnnAssign):
            out.append(
                {
                    "ann": target_names([node.target])[0],
                    "annotation": expr(node.annotation),
                    "value": expr(node.value),
                }
            )
        elif isinstance(node, ast.Expr):
            out.append({"expr": expr(node.value)})
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append({"import": [(a.asname or a.name).split(".")[0] for a in node.names]})
        elif isinstance(node, ast.With):
            out.append({"with": body(node.body)})
        else:
            out.append({"other": type(node).__name__})
    return out


def main():
    results = []
    for path in sys.argv[1:]:
        try:
            # Beside the file: the callers pass files in their own
            # temporary directories.
            py_compile.compile(path, cfile=path + "c", doraise=True)
        except py_compile.PyCompileError as e:
            results.append({"file": path, "error": e.msg})
            continue
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        results.append({"file": path, "tree": body(tree.body)})
    json.dump(results, sys.stdout)


main()
