"""The exemplar enhancer: the AC of the stored training window with the nearest DC."""

from numbers import Integral

import numpy as np
from sklearn.decomposition import PCA
from sklearn.metrics import pairwise_distances_argmin

from ._basis import from_coords, to_coords
from ._compat import Interval, _fit_context
from ._enhancer_base import BaseEnhancer
from ._image import from_windows, to_windows
from ._utils import draw_seed

__all__ = ["ExemplarEnhancer"]


class ExemplarEnhancer(BaseEnhancer):
    """Double the resolution by copying the AC of stored training windows.

    An skpager extension, not the paper's enhancer.  The output is cut into
    ``window_split x window_split`` windows.  For every stored training
    image, the enhancer keeps each window's DC (the Lanczos upsampling of the
    low-resolution image), reduced to its coordinates on the
    ``n_dc_features`` leading principal axes of the stored DC windows (the
    search keys), and its AC (true image minus DC).  At transform time every
    window of the output adds, whole and unmasked, the AC of the stored
    window whose key is nearest to its own DC's; with ``same_position`` only
    windows stored at the same position of their image are searched, and
    with labels only those of the same class.

    A copied AC belongs to one real image, so its edges and texture agree
    with each other: on CIFAR-10 this turns the blobs of the paper's
    enhancer into objects (see the :doc:`results page </benchmarks>`).  The
    output is a deterministic function of each image (and its label).

    Read more in the :ref:`User Guide <exemplar>`.

    Parameters
    ----------
    n_exemplars : int, default=10000
        Training images whose windows are stored (at most the number of
        training images).  Which ones: see ``store`` in :meth:`fit`.
    n_ac_components : int or None, default=128
        Keep each stored AC as its coordinates on this many principal axes of
        the stored ACs (plus the axes and mean); at most as many as stored
        windows or pixels per window.  None stores the pixels.
    window_split : int, default=2
        Windows per side.  Must divide both output sides.  1 copies the AC of
        whole images.
    same_position : bool, default=True
        With ``window_split > 1``, a window searches only the stored windows
        at the same position of their images (top-left among top-left, ...);
        False searches all of them.
    n_dc_features : int, default=32
        Principal axes of the stored DC windows used as search keys.
    image_shape : tuple of int, default=None
        ``(h, w)`` or ``(h, w, C)`` of the low-resolution rows of 2-D ``X``;
        set from n-D input.  None reads a row as a grey ``1 x n_features`` image.
    random_state : int, RandomState instance or None, default=None
        Seeds the randomised principal axes.
    verbose : int, default=0
        Progress messages.

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(h, w, C)`` of the low-resolution input.
    output_shape_ : tuple of int
        ``(2h, 2w, C)``.
    window_ : tuple of int
        ``(height, width)`` of the stored windows.
    stored_images_ : ndarray of int
        Rows of the training ``X`` whose windows are stored.
    keys_basis_ : tuple of ndarray
        ``(mean, axes)`` of the search keys (float32).
    keys_ : ndarray of shape (n_stored_windows, n_keys), float32
        Key of every stored window; the windows of one image are consecutive.
    ac_basis_ : tuple of ndarray or None
        ``(mean, axes)`` of the stored AC (None when the pixels are stored).
    ac_ : ndarray of shape (n_stored_windows, n_ac), float32
        Stored AC of every window (coordinates on ``ac_basis_`` or pixels).
    labels_ : ndarray or None
        Class of every stored window, when fitted with labels.
    n_parameters_ : int
        Stored values (keys, AC, labels and bases).
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    See Also
    --------
    ResolutionEnhancer : The paper's enhancer (AC from per-cluster mixtures).
    PAGER : Uses this class for colour images by default.

    Examples
    --------
    >>> from skpager import ExemplarEnhancer
    >>> from skpager.datasets import load_demo
    >>> from skpager.image import resize
    >>> high = load_demo().images[:300]
    >>> low = resize(high, 14)
    >>> sr = ExemplarEnhancer(n_exemplars=200, random_state=0)
    >>> sr.fit(low, high).transform(low[:2]).shape
    (2, 28, 28, 1)
    """

    _parameter_constraints: dict = {
        "n_exemplars": [Interval(Integral, 1, None, closed="left")],
        "n_ac_components": [Interval(Integral, 1, None, closed="left"), None],
        "window_split": [Interval(Integral, 1, None, closed="left")],
        "same_position": ["boolean"],
        "n_dc_features": [Interval(Integral, 1, None, closed="left")],
        "image_shape": [tuple, list, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_exemplars=10000,
        *,
        n_ac_components=128,
        window_split=2,
        same_position=True,
        n_dc_features=32,
        image_shape=None,
        random_state=None,
        verbose=0,
    ):
        self.n_exemplars = n_exemplars
        self.n_ac_components = n_ac_components
        self.window_split = window_split
        self.same_position = same_position
        self.n_dc_features = n_dc_features
        self.image_shape = image_shape
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, *, labels=None, store=None):
        """Store the DC keys and the AC of the windows of some training images.

        Parameters
        ----------
        X : array-like of shape (n_samples, h*w*C) or (n_samples, h, w[, C])
            Low-resolution images in [0, 1].
        y : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            The same images at ``H = 2**j * h`` (j >= 1).
        labels : array-like of shape (n_samples,), default=None
            Class of every image, kept with the store so that
            :meth:`transform` given labels copies only within a class.
        store : array-like of int, default=None
            Rows of ``X`` in order of preference: the first ``n_exemplars``
            of them are stored.  A cascade passes the same ``store`` to every
            octave, so that every octave stores the same images (a sample's
            window copied from one training image at one octave finds that
            image's finer windows at the next).  None stores
            ``n_exemplars`` images evenly spaced in the input order.

        Returns
        -------
        self : ExemplarEnhancer
            The fitted enhancer.
        """
        return self._fit_validated(X, y, labels, store=store)

    def _fit_pairs(self, low, high, labels, rng, store):
        n = len(low)
        h2, w2, _ = self.output_shape_
        if h2 % self.window_split or w2 % self.window_split:
            raise ValueError(
                f"window_split={self.window_split} must divide both output sides ({h2}x{w2})."
            )
        self.stored_images_ = self._stored_images(store, n)
        self.window_ = (h2 // self.window_split, w2 // self.window_split)
        kept = self.stored_images_
        dc = self._dc(low[kept])
        dc_w = to_windows(dc, *self.window_)
        ac_w = to_windows(high[kept] - dc, *self.window_)
        if self.verbose:
            print(
                f"[ExemplarEnhancer] storing {len(dc_w):,} windows of {self.window_} "
                f"from {len(kept):,} images"
            )
        self.keys_basis_ = _principal_axes(dc_w, self.n_dc_features, rng)
        self.keys_ = to_coords(self.keys_basis_, dc_w).astype(np.float32)
        self.ac_basis_ = None
        if self.n_ac_components is not None:
            self.ac_basis_ = _principal_axes(ac_w, self.n_ac_components, rng)
            ac_w = to_coords(self.ac_basis_, ac_w)
        self.ac_ = ac_w.astype(np.float32)
        per = self.window_split**2
        self.labels_ = None if labels is None else np.repeat(labels[kept], per)
        arrays = [self.keys_, self.ac_, *self.keys_basis_, *(self.ac_basis_ or ())]
        self.n_parameters_ = int(sum(a.size for a in arrays)) + (
            0 if self.labels_ is None else self.labels_.size
        )

    def _stored_images(self, store, n):
        count = min(self.n_exemplars, n)
        if store is None:
            return np.unique(np.linspace(0, n - 1, count).round().astype(np.intp))
        store = np.asarray(store)
        if store.ndim != 1 or not np.issubdtype(store.dtype, np.integer):
            raise ValueError(f"store must be a 1-D array of row indices; got {store!r}.")
        if len(store) == 0 or store.min() < -n or store.max() >= n:
            raise ValueError(f"store must hold row indices of X (0 to {n - 1}).")
        store = store % n
        _, first = np.unique(store, return_index=True)
        return store[np.sort(first)][:count]  # drop repeats, keep the order of preference

    def _enhance(self, low, labels, temperature, rng):
        dc = self._dc(low)
        parts = to_windows(dc, *self.window_)
        per = self.window_split**2
        positions = np.tile(np.arange(per), len(low)) if self._by_position() else None
        labels = None if labels is None else np.repeat(labels, per)
        nearest = self._nearest(to_coords(self.keys_basis_, parts), labels, positions)
        ac = from_coords(self.ac_basis_, self.ac_[nearest].astype(np.float64))
        return dc + from_windows(ac, dc.shape, *self.window_)

    def _by_position(self):
        return self.same_position and self.window_split > 1

    def _nearest(self, keys, labels, positions):
        """Row of the stored window nearest to every key, within the key's
        position (``positions``) and label groups; a label the store does not
        hold searches its whole position group."""
        keys = keys.astype(np.float32)
        if positions is None:
            positions = np.zeros(len(keys), dtype=np.intp)
            stored_positions = np.zeros(len(self.keys_), dtype=np.intp)
        else:  # the windows of one stored image are consecutive, in position order
            stored_positions = np.arange(len(self.keys_)) % self.window_split**2
        use_labels = labels is not None and self.labels_ is not None
        nearest = np.empty(len(keys), dtype=np.intp)
        for position in np.unique(positions):
            at = positions == position
            same = stored_positions == position
            for label in np.unique(labels[at]) if use_labels else [None]:
                query = np.flatnonzero(at if label is None else at & (labels == label))
                pool = np.flatnonzero(same if label is None else same & (self.labels_ == label))
                if len(pool) == 0:  # no stored window of that label
                    pool = np.flatnonzero(same)
                nearest[query] = pool[pairwise_distances_argmin(keys[query], self.keys_[pool])]
        return nearest


def _principal_axes(data, n_axes, rng):
    """``(mean, axes)`` (float32) of the ``n_axes`` leading principal axes of
    ``data`` (at most as many as rows or columns)."""
    k = min(n_axes, *data.shape)
    pca = PCA(k, random_state=draw_seed(rng)).fit(data)
    return pca.mean_.astype(np.float32), pca.components_.astype(np.float32)
