"""The Sphinx configuration's member filter (API pages show public methods only)."""

import importlib.util
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[1] / "docs" / "conf.py"


@pytest.fixture(scope="module")
def conf():
    spec = importlib.util.spec_from_file_location("skpager_docs_conf", CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "name",
    ["__reduce_ex__", "__weakref__", "_cascade", "_parameter_constraints", "set_fit_request"],
)
def test_private_members_are_hidden(conf, name):
    assert conf._skip_members(None, "class", name, None, False, {}) is True


@pytest.mark.parametrize("name", ["fit", "sample", "super_resolve", "get_params", "set_params"])
def test_public_members_follow_the_default_rule(conf, name):
    # None, not False: autosummary reads False as "include even if private"
    assert conf._skip_members(None, "class", name, None, False, {}) is None


def test_inherited_scikit_learn_references_become_text(conf):
    from sklearn.base import BaseEstimator

    lines = ["See :ref:`User Guide <metadata_routing>` and :ref:`set_output`."]
    conf._plain_sklearn_refs(None, "method", "x", BaseEstimator.set_params, {}, lines)
    assert lines == ["See User Guide and set_output."]


@pytest.mark.parametrize(
    "name, url",
    [
        (
            "sklearn.pipeline.Pipeline",
            "https://scikit-learn.org/stable/modules/generated/sklearn.pipeline.Pipeline.html",
        ),
        (
            "sklearn.metrics.pairwise_distances_argmin",
            "https://scikit-learn.org/stable/modules/generated/"
            "sklearn.metrics.pairwise_distances_argmin.html",
        ),
        (
            "skops.io",
            "https://skops.readthedocs.io/en/stable/modules/classes.html#module-skops.io",
        ),
    ],
)
def test_scikit_learn_and_skops_names_link_to_their_docs(conf, name, url):
    assert conf._external_link(name) == url


@pytest.mark.parametrize(
    "name", ["sklearn", "sklearn.base", "numpy.ndarray", "PAGER", "QualityBooster"]
)
def test_other_names_stay_unresolved(conf, name):
    # a name that is neither a scikit-learn object nor skops.io stays a
    # nitpicky warning (the docs build with -n -W)
    assert conf._external_link(name) is None
