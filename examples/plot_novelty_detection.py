"""
===========================================
Novelty detection with PAGER's likelihood
===========================================

PAGER scores an image by its log-likelihood under the cascade: the core's
log-likelihood of the downsampled image plus every octave's conditional
log-likelihood of the detail it adds (:meth:`skpager.PAGER.score_stages`).
:class:`skpager.LikelihoodNoveltyDetector` turns it into a scikit-learn
novelty detector.

We fit it on the bundled Fashion-MNIST subset without one class (bags), and
score test images of the nine known classes against bags and against
scikit-learn's handwritten digits (enlarged to 28x28).  The coarse term (the
core's likelihood, the detector's default) is compared with the full
likelihood and with :class:`~sklearn.ensemble.IsolationForest` on the
pixels.  The fine terms measure local smoothness and texture, which the
digits' smooth strokes on black have as much as clothes do, so adding them
blurs the coarse term's verdict.  Saves ``novelty.png``.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from skpager import PAGER, LikelihoodNoveltyDetector
from skpager.datasets import load_demo
from skpager.image import image_grid, resize

train, test = load_demo(), load_demo("test")
bag = list(train.target_names).index("Bag")
known = train.target != bag
X, y = train.images[known], train.target[known]

coarse = LikelihoodNoveltyDetector(PAGER(random_state=0, n_jobs=2), contamination=0.05)
coarse.fit(X, y)
# the same fitted PAGER, scored with every term
full = coarse.estimator_
forest = IsolationForest(random_state=0).fit(X.reshape(len(X), -1))

inliers = test.images[test.target != bag]
novel = {
    "bags (held-out class)": test.images[test.target == bag],
    "digits": np.clip(resize(load_digits().images[:300, :, :, None] / 16.0, 28), 0, 1),
}

scores = {
    "coarse likelihood (default)": coarse.score_samples,
    "full likelihood": full.score_samples,
    "IsolationForest on pixels": lambda im: forest.score_samples(im.reshape(len(im), -1)),
}
for set_name, images in novel.items():
    labels = np.r_[np.ones(len(inliers)), np.zeros(len(images))]
    for name, score in scores.items():
        auc = roc_auc_score(labels, np.r_[score(inliers), score(images)])
        print(f"{set_name:22s} {name:28s} AUROC {auc:.3f}")

flagged = np.mean(coarse.predict(inliers) == -1)
print(f"known-class test images flagged as novel: {flagged:.3f} (contamination 0.05)")

# %%
# The per-stage terms of a few images: the digits' detail (octave) term is
# as high as the clothes', their core term far lower.
stages = full.score_stages(np.concatenate([inliers[:3], novel["digits"][:3]]))
for row, name in zip(stages, ["clothes"] * 3 + ["digit"] * 3, strict=True):
    print(f"{name:8s} core {row[0]:9.1f}   octave {row[1]:9.1f}")

# %%
# The least and the most typical of all the scored images (known classes,
# bags and digits), and the three sets' scores beside the threshold.
all_images = np.concatenate([inliers, *novel.values()])
order = np.argsort(coarse.score_samples(all_images))
rows = [all_images[order[:10]], all_images[order[-10:]]]
fig, ax = plt.subplots(figsize=(6, 1.8))
ax.imshow(image_grid(np.concatenate(rows), 10, row_labels=["least", "most"], scale=2))
ax.set_axis_off()
ax.set_title("Least and most typical scored images (coarse likelihood)")
fig.savefig("novelty.png", dpi=100, bbox_inches="tight")

fig, ax = plt.subplots(figsize=(6, 3))
for name, images in [("known classes", inliers), *novel.items()]:
    ax.hist(coarse.score_samples(images), bins=40, alpha=0.5, density=True, label=name)
ax.axvline(coarse.offset_, color="k", linestyle="--", label="threshold")
ax.set_xlabel("coarse log-likelihood")
ax.legend()
plt.show()
