"""
=====================================
Generate Fashion-MNIST images (PAGER)
=====================================

Fit a class-conditional :class:`skpager.PAGER` on the Fashion-MNIST subset that
ships with skpager (500 images per class): a 16x16 Gaussian-mixture core per
class, then one resolution enhancer and one quality booster from 16x16 to
32x32 (the 28x28 images are zero-padded to 32x32 and cropped back).  Saves a
grid with one class per row to ``fashion_samples.png``.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

from skpager import PAGER, GMMCoreGenerator
from skpager.datasets import load_demo
from skpager.image import image_grid

demo = load_demo()
pager = PAGER(
    core=GMMCoreGenerator(n_components=20, pca_variance=0.85),
    random_state=0,
    n_jobs=2,
)
start = time.perf_counter()
pager.fit(demo.images, demo.target)
print(f"fitted in {time.perf_counter() - start:.1f}s, {pager.n_parameters_:,} parameters")
print(f"working resolutions: {pager.resolutions_}, output {pager.image_shape_}")

# %%
# Eight samples of every class, one class per row.  ``y`` picks the class of
# each sample; a fixed ``random_state`` makes the call reproducible.
labels = np.repeat(np.arange(10), 8)
samples = pager.sample(len(labels), y=labels, random_state=0)
print(f"samples: {samples.shape}, values in [{samples.min():.2f}, {samples.max():.2f}]")

fig, ax = plt.subplots(figsize=(6, 7))
ax.imshow(image_grid(samples, 8, row_labels=demo.target_names, scale=2))
ax.set_axis_off()
ax.set_title("PAGER samples, one class per row")
fig.savefig("fashion_samples.png", dpi=100, bbox_inches="tight")

# %%
# The core alone: 16x16 images drawn from the per-class mixtures, before the
# enhancer and booster add the detail of the 32x32 octave.
core = pager.core_.sample(8, y=np.full(8, 9), random_state=0)
fig, ax = plt.subplots(figsize=(6, 1.2))
ax.imshow(image_grid(core.reshape(-1, 16, 16), 8, scale=2))
ax.set_axis_off()
ax.set_title("16x16 core samples (ankle boot)")
plt.show()
