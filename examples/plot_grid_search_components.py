"""
===============================================
Choosing the number of mixture components by CV
===============================================

:class:`skpager.GMMCoreGenerator` has an exact log-likelihood, so its
``score`` (mean held-out log-likelihood per image) lets
:class:`~sklearn.model_selection.GridSearchCV` pick ``n_components`` with no
custom scorer.  Too few components underfit; too many overfit the training
folds and the held-out likelihood falls again.  The curve is saved to
``grid_search_components.png``.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skpager import GMMCoreGenerator
from skpager.datasets import load_demo

demo = load_demo()
search = GridSearchCV(
    GMMCoreGenerator(resolution=7, pca_variance=0.95, random_state=0),
    {"n_components": [1, 2, 4, 8, 16, 32]},
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
    n_jobs=2,
)
search.fit(demo.images, demo.target)  # y: one mixture per class, scored class-conditionally
print(f"best n_components: {search.best_params_['n_components']}")
for k, mean, std in zip(
    search.cv_results_["param_n_components"],
    search.cv_results_["mean_test_score"],
    search.cv_results_["std_test_score"],
    strict=True,
):
    print(f"  {k:3d} components per class: held-out log-likelihood {mean:8.1f} +- {std:.1f}")

# %%
# Held-out against training likelihood.  The gap widens with the number of
# components: the extra components fit the training folds, not the
# distribution.
best = search.best_estimator_
print(f"best model: {best.n_parameters_:,} parameters")
ks = np.asarray(search.cv_results_["param_n_components"], dtype=int)
train_scores = [
    GMMCoreGenerator(resolution=7, pca_variance=0.95, n_components=k, random_state=0)
    .fit(demo.images, demo.target)
    .score(demo.images, demo.target)
    for k in ks
]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.errorbar(
    ks,
    search.cv_results_["mean_test_score"],
    yerr=search.cv_results_["std_test_score"],
    marker="o",
    label="held-out (3-fold CV)",
)
ax.plot(ks, train_scores, marker="s", linestyle="--", label="training data")
ax.set_xscale("log", base=2)
ax.set_xlabel("n_components per class")
ax.set_ylabel("mean log-likelihood per 7x7 image")
ax.legend()
fig.savefig("grid_search_components.png", dpi=100, bbox_inches="tight")
plt.show()
