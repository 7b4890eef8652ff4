"""Sphinx configuration for skpager.

Build (from the repository root, after ``pip install ".[docs]"``)::

    sphinx-build -W -b html docs docs/_build/html                   # runs the gallery
    sphinx-build -W -b html -D plot_gallery=0 docs docs/_build/html  # without running it
"""

import re

import skpager

project = "skpager"
author = "skpager developers"
copyright = "2026, skpager developers"
release = skpager.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py.md5"]
templates_path = ["_templates"]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# No network at build time: intersphinx is off unless inventories are cached.
intersphinx_mapping = {}

myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
}

html_theme = "alabaster"
html_static_path = []
html_theme_options = {"description": "PAGER image generation as scikit-learn estimators"}


def _skip_members(app, what, name, obj, skip, options):
    """Hide private and dunder members and scikit-learn's generated
    ``set_*_request`` methods (metadata routing); None leaves every other
    member to the default rule (autosummary reads False as "include")."""
    if name.startswith("_") or (name.startswith("set_") and name.endswith("_request")):
        return True
    return None


_REF = re.compile(r":ref:`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _plain_sklearn_refs(app, what, name, obj, options, lines):
    """Methods inherited from scikit-learn (``get_params``, ``set_output``, ...)
    keep their docstrings, but their ``:ref:`` labels live in scikit-learn's
    own docs: print the text of those references without a link."""
    if getattr(obj, "__module__", "").startswith("sklearn"):
        lines[:] = [_REF.sub(lambda m: m.group(1) or "the scikit-learn guide", ln) for ln in lines]


def setup(app):
    app.connect("autodoc-skip-member", _skip_members)
    app.connect("autodoc-process-docstring", _plain_sklearn_refs)
