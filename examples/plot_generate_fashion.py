"""
=====================================
Generate Fashion-MNIST images (PAGER)
=====================================

Fit a class-conditional :class:`skpager.PAGER` on the Fashion-MNIST subset that
ships with skpager (500 images per class): a 16x16 Gaussian-mixture core per
class, then one resolution enhancer and one quality booster from 16x16 to
32x32 (the 28x28 images are zero-padded to 32x32 and cropped back).  Writes a
grid with one class per row to ``fashion_samples.png``.
"""

import time

import numpy as np

from skpager import PAGER, GMMCoreGenerator
from skpager._grid import image_grid, save_png
from skpager.datasets import load_demo

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
# Eight samples of every class, one class per row.
labels = np.repeat(np.arange(10), 8)
samples = pager.sample(len(labels), y=labels)
save_png("fashion_samples.png", image_grid(samples, 8, row_labels=demo.target_names))
print("wrote fashion_samples.png")
