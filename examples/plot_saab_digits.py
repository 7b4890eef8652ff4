"""
==============================================
Saab transform as a feature extractor (digits)
==============================================

Fit a :class:`skpager.SaabTransformer` on scikit-learn's 8x8 digits, check that
it inverts exactly, look at how the energy spreads over its output features,
and use it as the first step of a classification pipeline.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skpager import SaabTransformer

digits = load_digits()
X = digits.data / 16.0  # floats in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(
    X, digits.target, test_size=0.25, random_state=0
)

# %%
# A complete Saab transform is orthonormal: it inverts to rounding error.
saab = SaabTransformer(image_shape=(8, 8)).fit(X_train)
Z = saab.transform(X_test)
error = np.abs(saab.inverse_transform(Z) - X_test).max()
print(f"stages: {saab.n_stages_}, output features: {Z.shape[1]}")
print(f"max reconstruction error (complete transform): {error:.2e}")

# %%
# Energy compaction: a few leaf channels carry most of the energy.
order = np.sort(saab.energy_)[::-1]
for k in (1, 4, 16):
    print(f"energy in the top {k:2d} features: {order[:k].sum():.3f}")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(np.arange(1, order.size + 1), order, marker=".", label="energy of each feature")
ax.plot(np.arange(1, order.size + 1), 1 - np.cumsum(order), label="energy left after the top k")
ax.axhline(0.005, color="grey", linestyle=":", label="energy_threshold=0.005")
ax.set_xlabel("feature rank")
ax.set_ylabel("fraction of the energy")
ax.set_title("Saab energy spectrum on 8x8 digits")
ax.legend()
fig.savefig("saab_energy.png", dpi=100, bbox_inches="tight")

truncated = SaabTransformer(image_shape=(8, 8), energy_threshold=0.005).fit(X_train)
X_rec = truncated.inverse_transform(truncated.transform(X_test))
print(
    f"energy_threshold=0.005 keeps {truncated.energy_.size} of 64 features, "
    f"relative reconstruction error {np.linalg.norm(X_rec - X_test) / np.linalg.norm(X_test):.3f}"
)

# %%
# Saab + logistic regression in one scikit-learn pipeline.
pipe = make_pipeline(SaabTransformer(image_shape=(8, 8)), LogisticRegression(max_iter=2000))
pipe.fit(X_train, y_train)
print(f"Saab + LogisticRegression test accuracy: {pipe.score(X_test, y_test):.3f}")
plt.show()
