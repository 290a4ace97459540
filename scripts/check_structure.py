"""The house rules import-linter cannot see, checked on the package's source:

- no module over 400 lines: a longer one does more than one job, split it;
- no import inside a function of a kbops module, except in `cli/`, where a command may
  import its library lazily so `kbops --help` stays fast (elsewhere a lazy kbops import
  only hides a cycle);
- a lazy import of anything else (chromadb, ragas, anthropic, onnxruntime, ...) says why
  in a comment on its line or the line above.

Layers and import cycles are import-linter's job (`[tool.importlinter]` in pyproject.toml).

    python scripts/check_structure.py [PACKAGE_DIR]     # default: tooling/kbops

Exit 0 when every rule holds, 1 with one `path:line: rule: message` per problem otherwise.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_LINES = 400
LAZY_ALLOWED = ("cli",)
"""Subpackages whose functions may import kbops modules lazily."""


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    rule: str
    message: str

    def render(self, base: Path) -> str:
        try:
            shown = self.path.relative_to(base)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}: {self.rule}: {self.message}"


def check_package(package: Path) -> list[Problem]:
    """Every problem in the `.py` files under `package` (the folder of `kbops`)."""
    problems: list[Problem] = []
    for path in sorted(package.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        if len(lines) > MAX_LINES:
            problems.append(Problem(path, MAX_LINES + 1, "module-too-long",
                                    f"{len(lines)} lines (limit {MAX_LINES}): split it by responsibility"))
        in_cli = path.relative_to(package).parts[0] in LAZY_ALLOWED
        for group in function_level_imports(ast.parse(source, filename=str(path))):
            explained = has_comment(lines, group[0].lineno, group[-1].end_lineno or group[-1].lineno)
            for node in group:
                if is_own_module(node, package.name):
                    if not in_cli:
                        problems.append(Problem(path, node.lineno, "lazy-kbops-import",
                                                f"`{describe(node)}` inside a function: import it at the top of "
                                                "the module (a lazy import of a kbops module hides a cycle)"))
                elif not explained:
                    problems.append(Problem(path, node.lineno, "lazy-import-without-reason",
                                            f"`{describe(node)}` inside a function: say why it is lazy in a comment "
                                            "(e.g. `# lazy: chromadb takes seconds to import`), or import it at the top"))
    return problems


def function_level_imports(tree: ast.Module) -> Iterator[list[ast.Import | ast.ImportFrom]]:
    """Imports inside function bodies, at any depth, in runs of consecutive import
    statements (one comment may explain a run)."""
    blocks: dict[int, list[ast.stmt]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            for field in ("body", "orelse", "finalbody"):
                statements = getattr(inner, field, None)
                if isinstance(statements, list):
                    blocks[id(statements)] = statements
    for statements in blocks.values():
        run: list[ast.Import | ast.ImportFrom] = []
        for statement in statements:
            if isinstance(statement, ast.Import | ast.ImportFrom):
                run.append(statement)
            elif run:
                yield run
                run = []
        if run:
            yield run


def is_own_module(node: ast.Import | ast.ImportFrom, package: str) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == package
    return any(alias.name.split(".")[0] == package for alias in node.names)


def has_comment(lines: list[str], first: int, last: int) -> bool:
    """A `#` comment on one of the lines `first`..`last`, or on the line just above them."""
    above = lines[first - 2].strip() if first >= 2 else ""
    return above.startswith("#") or any("#" in lines[number - 1] for number in range(first, last + 1))


def describe(node: ast.Import | ast.ImportFrom) -> str:
    if isinstance(node, ast.ImportFrom):
        return f"from {'.' * node.level}{node.module or ''} import {', '.join(a.name for a in node.names)}"
    return f"import {', '.join(a.name for a in node.names)}"


def main(argv: list[str]) -> int:
    package = Path(argv[1] if len(argv) > 1 else "tooling/kbops").resolve()
    if not (package / "__init__.py").is_file():
        print(f"{package}: not a Python package (no __init__.py)", file=sys.stderr)
        return 2
    problems = check_package(package)
    for problem in problems:
        print(problem.render(Path.cwd()))
    count = sum(1 for _ in package.rglob("*.py"))
    print(f"{count} modules checked: {len(problems)} problem{'' if len(problems) == 1 else 's'}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
