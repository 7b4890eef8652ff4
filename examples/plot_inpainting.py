"""
=====================================================
Inpainting by exact conditioning, beside OpenCV
=====================================================

Every class model of PAGER's core is a Gaussian mixture over the core's
pixels, so the missing pixels of an image given the observed ones follow an
exact mixture of Gaussian conditionals: :meth:`skpager.PAGER.inpaint`
completes the core that way, and the octaves enhance the completion while the
known pixels are put back after every stage (they come out unchanged).

We fit a default :class:`skpager.PAGER` on the bundled Fashion-MNIST subset,
cut a hole in test images, and compare the completion at temperature 0 (the
conditional mean) and draws at temperature 1 with OpenCV's ``cv2.inpaint``
(Telea).  The class posterior of the partial images comes for free
(:meth:`skpager.PAGER.predict_proba`).  Saves ``inpainting.png``.
"""

import cv2
import matplotlib.pyplot as plt
import numpy as np

from skpager import PAGER
from skpager.datasets import load_demo
from skpager.image import image_grid

train, test = load_demo(), load_demo("test")
# grey images as (n, 28, 28) arrays in [0, 1]: PAGER answers in the same layout
pager = PAGER(random_state=0, n_jobs=2).fit(train.images[..., 0], train.target)
X, y = test.images[:300, ..., 0], test.target[:300]  # 300 test images keep the example quick

# %%
# Two holes: the centre square (half the side) and the right half.
holes = {}
holes["centre"] = np.zeros((28, 28), dtype=bool)
holes["centre"][7:21, 7:21] = True
holes["right half"] = np.zeros((28, 28), dtype=bool)
holes["right half"][:, 14:] = True


def telea(images, mask):
    byte = np.round(images * 255).astype(np.uint8)
    filled = [cv2.inpaint(im, mask.astype(np.uint8), 3, cv2.INPAINT_TELEA) for im in byte]
    return np.where(mask, np.array(filled) / 255.0, images)


def hole_psnr(out, mask):
    return 10 * np.log10(1.0 / np.mean((out[:, mask] - X[:, mask]) ** 2))


for name, mask in holes.items():
    mean = pager.inpaint(X, mask)  # temperature 0: deterministic
    assert np.array_equal(mean[:, ~mask], X[:, ~mask])  # known pixels unchanged
    print(
        f"{name:10s} PSNR on the hole: PAGER {hole_psnr(mean, mask):.2f} dB, "
        f"cv2.inpaint Telea {hole_psnr(telea(X, mask), mask):.2f} dB"
    )

# %%
# Rows: the holed image, OpenCV's fill, PAGER's conditional mean, three draws
# at temperature 1 (different seeds), and the truth.
n = 8
mask = holes["centre"]
rows = [
    np.where(mask, 0.5, X[:n]),
    telea(X[:n], mask),
    pager.inpaint(X[:n], mask),
    *(pager.inpaint(X[:n], mask, temperature=1.0, random_state=seed) for seed in (1, 2, 3)),
    X[:n],
]
labels = ["hole", "Telea", "PAGER T=0", "draw", "draw", "draw", "truth"]
fig, ax = plt.subplots(figsize=(6, 5))
ax.imshow(image_grid(np.concatenate(rows)[..., None], n, row_labels=labels, scale=2))
ax.set_axis_off()
ax.set_title("Centre hole: completions")
fig.savefig("inpainting.png", dpi=100, bbox_inches="tight")

# %%
# The class posterior given only the left half of each image (Bayes' rule
# over the class-conditional core models).
proba = pager.predict_proba(X, holes["right half"])
predicted = pager.core_.classes_[proba.argmax(axis=1)]
print(f"class accuracy from the left half: {np.mean(predicted == y):.3f}")
print(f"class accuracy from whole images:  {np.mean(pager.predict_proba(X).argmax(1) == y):.3f}")
plt.show()
