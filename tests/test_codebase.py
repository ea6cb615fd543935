"""Checks that keep the code healthy: lint, import contracts, types, docstrings, no registry hosts."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent

# Packages whose every module must start with a docstring.
DOCUMENTED_PACKAGES = ("console", "widgets", "layouts", "connectors")

# Directories that are not the project's own files (tools, caches, build output).
SKIPPED_DIRS = {
    ".venv",
    ".git",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".import_linter_cache",
    "build",
    "dist",
}
SKIPPED_ROOT_DIRS = {"var"}  # runtime data (gitignored as /var/)
MAX_SCANNED_BYTES = 32 * 1024 * 1024  # big media files are not where a host name hides

# Package registry hosts, built from parts so this file does not contain them literally.
REGISTRY_HOSTS = tuple(
    ".".join(parts)
    for parts in (
        ("pypi", "org"),
        ("pythonhosted", "org"),
        ("deb", "debian", "org"),
        ("security", "debian", "org"),
        ("registry", "npmjs", "org"),
        ("proxy", "golang", "org"),
    )
)


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        args,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _report(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit code {result.returncode}\n{result.stdout}\n{result.stderr}".rstrip()


@pytest.mark.timeout(300)
def test_ruff_check_passes() -> None:
    result = _run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format=concise", "."])
    assert result.returncode == 0, "ruff check . failed:\n" + _report(result)


@pytest.mark.timeout(300)
def test_import_contracts_hold() -> None:
    lint_imports = BIN_DIR / "lint-imports"
    assert lint_imports.exists(), (
        f"{lint_imports} not found: run .ci/setup (import-linter is a test dependency)"
    )
    result = _run([str(lint_imports), "--no-cache", "--no-logo"])
    assert result.returncode == 0, "lint-imports failed:\n" + _report(result)


@pytest.mark.timeout(300)
def test_mypy_passes() -> None:
    # No paths given: mypy checks the `files` configured in pyproject.toml.
    result = _run([sys.executable, "-m", "mypy", "--no-color-output", "--no-error-summary"])
    assert result.returncode == 0, "mypy failed:\n" + _report(result)


def _python_modules(package: str) -> list[Path]:
    root = REPO_ROOT / package
    return sorted(
        p for p in root.rglob("*.py") if not SKIPPED_DIRS.intersection(p.relative_to(REPO_ROOT).parts)
    )


def test_every_module_starts_with_a_docstring() -> None:
    offenders: list[str] = []
    checked = 0
    for package in DOCUMENTED_PACKAGES:
        for path in _python_modules(package):
            checked += 1
            rel = path.relative_to(REPO_ROOT).as_posix()
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
            except SyntaxError as exc:
                offenders.append(f"{rel}:{exc.lineno}: does not parse ({exc.msg})")
                continue
            if ast.get_docstring(tree, clean=False) is None:
                offenders.append(f"{rel}: no module docstring")
    assert checked > 0, f"no Python modules found under {', '.join(DOCUMENTED_PACKAGES)}"
    assert not offenders, "modules without a leading docstring:\n" + "\n".join(offenders)


def _repo_files() -> list[Path]:
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(REPO_ROOT):
        here = Path(dirpath)
        at_root = here == REPO_ROOT
        dirnames[:] = [
            d
            for d in dirnames
            if d not in SKIPPED_DIRS
            and not d.endswith(".egg-info")
            and not (at_root and d in SKIPPED_ROOT_DIRS)
        ]
        for name in filenames:
            path = here / name
            if path.is_file() and not path.is_symlink():
                files.append(path)
    return files


def test_no_registry_host_names_in_the_repo() -> None:
    hosts = [host.encode() for host in REGISTRY_HOSTS]
    found: list[str] = []
    for path in _repo_files():
        try:
            if path.stat().st_size > MAX_SCANNED_BYTES:
                continue
            data = path.read_bytes().lower()
        except OSError:
            continue
        for host in hosts:
            if host in data:
                rel = path.relative_to(REPO_ROOT).as_posix()
                line = data[: data.index(host)].count(b"\n") + 1
                found.append(f"{rel}:{line}: {host.decode()}")
    assert not found, "package registry host names must not appear in the repo:\n" + "\n".join(found)
