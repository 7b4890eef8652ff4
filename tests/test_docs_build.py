"""The built API pages: public methods only, pictures on the home page."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
NEEDED = ["sphinx", "numpydoc", "sphinx_gallery", "myst_parser", "pydata_sphinx_theme"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    missing = [m for m in NEEDED if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"the docs extra is not installed ({', '.join(missing)}): pip install .[docs]")
    if not (DOCS / "conf.py").exists():
        pytest.skip("docs/ is not next to the tests (installed elsewhere)")
    out = tmp_path_factory.mktemp("html")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-D", "plot_gallery=0"]
        + [str(DOCS), str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    return out


def test_pager_page_lists_public_methods_only(built):
    page = (built / "generated" / "skpager.PAGER.html").read_text()
    members = set(re.findall(r'id="skpager\.PAGER\.([^"]+)"', page))
    assert {"fit", "sample", "super_resolve", "score", "get_params", "set_params"} <= members
    assert not [m for m in members if m.startswith("_") or m.endswith("_request")]
    assert "__reduce_ex__" not in page and "_parameter_constraints" not in page
    # the examples that use the class are listed on its page
    assert "sphx-glr-thumbcontainer" in page


def test_home_and_results_pages_show_sample_grids(built):
    home = (built / "index.html").read_text()
    results = (built / "benchmarks.html").read_text()
    assert "_images/demo_samples.png" in home
    assert "_images/samples_fashion-mnist.png" in results
    assert (built / "quickstart.html").is_file()
