"""README's commands are the ones CI runs."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not next to the tests (installed elsewhere)")
    return re.findall(r"```bash\n(.+?)\n```", readme.read_text(), flags=re.S)


def test_ci_runs_the_readme_test_command_verbatim():
    commands = _readme_commands()
    test_command = next(c for c in commands if "pytest" in c)
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci
    assert "set -euo pipefail" in ci


def test_readme_python_quick_start_runs(tmp_path, monkeypatch):
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not next to the tests (installed elsewhere)")
    (block,) = re.findall(r"```python\n(.+?)\n```", readme.read_text(), flags=re.S)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(block, str(readme), "exec"), namespace)  # the README's own code
    assert namespace["bags"].shape == (16, 28, 28, 1)
    assert namespace["sharp"].shape == (4, 28, 28, 1)
    assert (tmp_path / "pager.skops").is_file()
