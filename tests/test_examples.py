"""Every gallery example runs to the end, on a smaller slice of the bundled data.

The examples themselves run in a few minutes on the full bundled subset (the
docs build executes them as written, see docs/index.rst); here ``load_demo``
returns 100 training and 20 test images per class so the whole gallery stays
within a test-suite budget, and each script must still write its figure.
"""

import runpy
from pathlib import Path

import numpy as np
import pytest

import skpager.datasets

matplotlib = pytest.importorskip("matplotlib", reason="the examples plot with matplotlib")
matplotlib.use("Agg")

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))
_load_demo = skpager.datasets.load_demo


def _small_demo(kind="train"):
    bunch = _load_demo(kind)
    per_class = 100 if kind == "train" else 20
    keep = np.concatenate([np.flatnonzero(bunch.target == c)[:per_class] for c in range(10)])
    bunch.images, bunch.data, bunch.target = (
        bunch.images[keep],
        bunch.data[keep],
        bunch.target[keep],
    )
    return bunch


def test_gallery_is_complete():
    names = {p.stem for p in EXAMPLES}
    assert {
        "plot_generate_fashion",
        "plot_grid_search_components",
        "plot_saab_digits",
        "plot_super_resolution",
        "plot_attribute_guided",
        "plot_pickle_model",
        "plot_inpainting",
        "plot_novelty_detection",
    } <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(script, tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(skpager.datasets, "load_demo", _small_demo)
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.iterdir())
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        plt.close("all")
    written = [p for p in set(tmp_path.iterdir()) - before if p.suffix == ".png"]
    assert written, f"{script.name} saved no figure"
    assert all(p.stat().st_size > 1000 for p in written)
