"""
====================================
Saving a fitted model and loading it
====================================

Every skpager estimator is a plain Python object of numpy arrays: ``pickle``
and ``joblib`` store it, and the loaded model samples exactly the same images
for the same seed.  The stored arrays of the booster are float32, which keeps
the file small.  As with any pickle, load only files you trust, with the same
skpager and scikit-learn versions that wrote them.
"""

import os
import pickle
import tempfile

import joblib
import matplotlib.pyplot as plt
import numpy as np

from skpager import PAGER, GMMCoreGenerator
from skpager.datasets import load_demo
from skpager.image import image_grid

demo = load_demo()
pager = PAGER(core=GMMCoreGenerator(n_components=10, pca_variance=0.85), random_state=0, n_jobs=2)
pager.fit(demo.images, demo.target)

folder = tempfile.mkdtemp()
pickle_path = os.path.join(folder, "pager.pkl")
with open(pickle_path, "wb") as f:
    pickle.dump(pager, f, protocol=pickle.HIGHEST_PROTOCOL)
joblib_path = os.path.join(folder, "pager.joblib")
joblib.dump(pager, joblib_path, compress=3)
print(f"{pager.n_parameters_:,} parameters")
print(f"pickle: {os.path.getsize(pickle_path) / 2**20:.1f} MiB")
print(f"joblib, compress=3: {os.path.getsize(joblib_path) / 2**20:.1f} MiB")

# %%
# Reload both and sample with the same seed: the images are identical.
with open(pickle_path, "rb") as f:
    from_pickle = pickle.load(f)
from_joblib = joblib.load(joblib_path)

labels = np.arange(10)
original = pager.sample(10, y=labels, random_state=42)
for name, model in [("pickle", from_pickle), ("joblib", from_joblib)]:
    same = np.array_equal(model.sample(10, y=labels, random_state=42), original)
    print(f"{name}: same samples as the original model: {same}")

fig, ax = plt.subplots(figsize=(6, 1.6))
ax.imshow(
    image_grid(
        np.concatenate([original, from_joblib.sample(10, y=labels, random_state=42)]),
        10,
        row_labels=["fitted", "reloaded"],
        scale=2,
    )
)
ax.set_axis_off()
fig.savefig("pickled_samples.png", dpi=100, bbox_inches="tight")
plt.show()
