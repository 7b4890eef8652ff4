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
    # "Examples using this class" on every API page (templates/autosummary)
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("skpager",),
    "reference_url": {"skpager": None},
}

# The theme of scikit-learn's and imbalanced-learn's docs: top navigation, a
# page outline on the right, wide tables and code scroll instead of being cut.
html_theme = "pydata_sphinx_theme"
html_title = f"skpager {release}"
html_static_path = []
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 8,
    "secondary_sidebar_items": ["page-toc", "sg_download_links", "sg_launcher_links"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_sidebars = {"index": [], "quickstart": [], "install": []}


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


# No network at build time, so no intersphinx inventories: names of the few
# other projects the docs lean on link to their published API pages instead.
_EXTERNAL = {
    "sklearn": "https://scikit-learn.org/stable/modules/generated/{name}.html",
    "skops.io": "https://skops.readthedocs.io/en/stable/modules/classes.html#module-skops.io",
}


def _external_link(name):
    """URL of a scikit-learn or skops name (None for any other name)."""
    if name == "skops.io" or name.startswith("skops.io."):
        return _EXTERNAL["skops.io"]
    if name.startswith("sklearn.") and name.count(".") >= 2:
        return _EXTERNAL["sklearn"].format(name=name)
    return None


def _resolve_external(app, env, node, contnode):
    """``missing-reference`` handler: link scikit-learn and skops names (see
    ``_EXTERNAL``); everything else stays a nitpicky warning."""
    from docutils import nodes

    if node.get("refdomain") != "py":
        return None
    url = _external_link(node.get("reftarget", ""))
    if url is None:
        return None
    link = nodes.reference("", "", internal=False, refuri=url, reftitle=node["reftarget"])
    link.append(contnode)
    return link


def setup(app):
    app.connect("missing-reference", _resolve_external)
    app.connect("autodoc-skip-member", _skip_members)
    app.connect("autodoc-process-docstring", _plain_sklearn_refs)
