"""The quick-start page runs as written, on a folder of image files made here."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from skpager.datasets import load_demo

PAGE = Path(__file__).resolve().parents[1] / "docs" / "quickstart.rst"


def _blocks(language):
    if not PAGE.exists():
        pytest.skip("docs/quickstart.rst is not next to the tests (installed elsewhere)")
    pattern = rf"\.\. code-block:: {language}\n\n((?:   .*\n|\n)+)"
    return [
        "\n".join(line[3:] for line in block.splitlines())
        for block in re.findall(pattern, PAGE.read_text())
    ]


@pytest.fixture(scope="module")
def my_images(tmp_path_factory):
    """The layout the page describes: one sub-folder of image files per class."""
    folder = tmp_path_factory.mktemp("quickstart")
    demo = load_demo()
    for name, label, suffix in [("boots", 9, ".png"), ("shirts", 6, ".jpg")]:
        (folder / "my_images" / name).mkdir(parents=True)
        images = demo.images[demo.target == label][:60, ..., 0]
        for i, image in enumerate(images):
            path = folder / "my_images" / name / f"{i:03d}{suffix}"
            assert cv2.imwrite(str(path), np.round(image * 255).astype(np.uint8))
    return folder


def test_python_blocks_run_in_order(my_images, monkeypatch):
    monkeypatch.chdir(my_images)
    blocks = _blocks("python")
    assert len(blocks) == 3
    namespace = {}
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), namespace)  # the page's own code
    assert namespace["bags"].shape == (16, 28, 28, 1)
    assert namespace["data"].target_names == ["boots", "shirts"]
    assert namespace["data"].images.shape == (120, 32, 32, 1)
    assert namespace["shirts"].shape == (8, 32, 32, 1)
    assert (my_images / "my_model.skops").is_file()


def test_command_line_block_runs(my_images):
    commands = [c for block in _blocks("bash") for c in block.splitlines() if c.strip()]
    assert commands[0].startswith("pip install")
    for command in commands[1:]:
        args = shlex.split(command)
        assert args[0] == "skpager"
        done = subprocess.run(
            [sys.executable, "-m", "skpager", *args[1:]],
            cwd=my_images,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
    grid = cv2.imread(str(my_images / "shirts.png"))
    assert grid is not None and grid.shape[0] > 32
