"""
====================================
Saving a fitted model and loading it
====================================

:func:`skpager.save_model` writes a fitted model to a ``.skops`` file and
:func:`skpager.load_model` reads it back without running code: only
skpager's, scikit-learn's and numpy's types are rebuilt, so a model file
from anyone can be opened.  Every skpager estimator is also a plain Python
object of numpy arrays that ``pickle`` and ``joblib`` store, but loading a
pickle runs whatever code the file names: use those only for files you
wrote yourself.  Either way the loaded model samples exactly the same images
for the same seed (with the same skpager and scikit-learn versions).
"""

import os
import tempfile

import joblib
import matplotlib.pyplot as plt
import numpy as np

from skpager import PAGER, GMMCoreGenerator, load_model, save_model
from skpager.datasets import load_demo
from skpager.image import image_grid

demo = load_demo()
pager = PAGER(core=GMMCoreGenerator(n_components=10, pca_variance=0.85), random_state=0, n_jobs=2)
pager.fit(demo.images, demo.target)

folder = tempfile.mkdtemp()
skops_path = os.path.join(folder, "pager.skops")
save_model(pager, skops_path)
joblib_path = os.path.join(folder, "pager.joblib")
joblib.dump(pager, joblib_path, compress=3)
print(f"{pager.n_parameters_:,} parameters")
print(f"skops: {os.path.getsize(skops_path) / 2**20:.1f} MiB")
print(f"joblib, compress=3: {os.path.getsize(joblib_path) / 2**20:.1f} MiB")

# %%
# Reload both and sample with the same seed: the images are identical.
from_skops = load_model(skops_path)
from_joblib = joblib.load(joblib_path)  # a file we wrote ourselves

labels = np.arange(10)
original = pager.sample(10, y=labels, random_state=42)
for name, model in [("skops", from_skops), ("joblib", from_joblib)]:
    same = np.array_equal(model.sample(10, y=labels, random_state=42), original)
    print(f"{name}: same samples as the original model: {same}")

fig, ax = plt.subplots(figsize=(6, 1.6))
ax.imshow(
    image_grid(
        np.concatenate([original, from_skops.sample(10, y=labels, random_state=42)]),
        10,
        row_labels=["fitted", "reloaded"],
        scale=2,
    )
)
ax.set_axis_off()
fig.savefig("reloaded_samples.png", dpi=100, bbox_inches="tight")
plt.show()
