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
