"""Attribute-guided generation: one generator per cluster of binary attributes."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ._compat import HasMethods, Interval, _fit_context
from ._pager import PAGER, _accepts
from ._random import categorical, index_keys, sub_keys
from ._utils import check_offset, check_positive_int, draw_seed, sample_batches, stream_seed

__all__ = ["AttributeGuidedGenerator"]


def _fit_one(estimator, X, seed):
    params = estimator.get_params(deep=False)
    if "random_state" in params:
        estimator.set_params(random_state=seed)
    return estimator.fit(X)


class AttributeGuidedGenerator(BaseEstimator):
    """Generate images that match a query of binary attributes (PAGER, section 3.3).

    The training images are partitioned by their attribute vectors: k-means
    on ``A`` in {-1, +1}^T gives ``n_clusters`` groups, and a clone of
    ``estimator`` is fitted on each.  A query in {-1, 0, +1}^T (0: don't care)
    picks the cluster whose centre is nearest in cosine distance over the
    query's non-zero attributes, and that cluster's generator samples.

    Read more in the :ref:`User Guide <attributes>`.

    Parameters
    ----------
    estimator : estimator with ``fit(X)`` and ``sample(n_samples)``, default=None
        Template cloned per cluster; None uses ``PAGER()``.
    n_clusters : int, default=10
        Attribute clusters.  Fewer are used when ``A`` has fewer distinct rows.
    min_cluster_size : int, default=2
        Clusters smaller than this (at least 2: a generator learns from two
        images or more) are merged into the nearest larger one (by centre
        distance), with a warning.
    random_state : int, RandomState instance or None, default=None
        Seeds k-means, the per-cluster estimators and default sampling.
    n_jobs : int, default=None
        Per-cluster fits in parallel through joblib.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_used, T)
        Mean attribute vector of each cluster; ``n_used <= n_clusters``
        (fewer distinct attribute rows, or merged small clusters).
    cluster_sizes_ : ndarray of shape (n_used,)
        Training images per cluster.
    estimators_ : list
        Fitted generator per cluster.
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training image.
    n_attributes_ : int
        ``T``.

    Examples
    --------
    >>> import numpy as np
    >>> from skpager import AttributeGuidedGenerator, GMMCoreGenerator
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((60, 4, 4))
    >>> A = np.where(rng.random((60, 3)) > 0.5, 1, -1)
    >>> gen = AttributeGuidedGenerator(GMMCoreGenerator(n_components=1), n_clusters=2,
    ...                                random_state=0).fit(X, A)
    >>> gen.sample(3, query=[1, 0, -1]).shape
    (3, 4, 4)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "sample"]), None],
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "min_cluster_size": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_clusters=10,
        min_cluster_size=2,
        random_state=None,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.n_clusters = n_clusters
        self.min_cluster_size = min_cluster_size
        self.random_state = random_state
        self.n_jobs = n_jobs

    @staticmethod
    def _check_attributes(A, n_samples):
        A = np.asarray(A)
        if A.ndim != 2:
            raise ValueError(f"A must be a 2-D array (n_samples, n_attributes); got {A.shape}.")
        if len(A) != n_samples:
            raise ValueError(f"X has {n_samples} images but A has {len(A)} rows.")
        if not np.isin(A, (-1, 1)).all():
            raise ValueError("Attributes must be binary, -1 or +1 (CelebA's convention).")
        return A.astype(np.float64)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, A):
        """Cluster the attribute vectors and fit one generator per cluster.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training images, in any layout the estimator accepts.
        A : array-like of shape (n_samples, n_attributes)
            Binary attributes in {-1, +1}.

        Returns
        -------
        self : AttributeGuidedGenerator
            The fitted generator.
        """
        n = len(X)
        if n == 0:
            raise ValueError("X holds no images; AttributeGuidedGenerator needs training images.")
        A = self._check_attributes(A, n)
        rng = check_random_state(self.random_state)
        distinct = len(np.unique(A, axis=0))
        k = min(self.n_clusters, distinct)
        kmeans = KMeans(n_clusters=k, n_init=10, random_state=draw_seed(rng)).fit(A)
        labels = kmeans.labels_
        centres = kmeans.cluster_centers_
        labels, centres = self._merge_small(labels, centres)
        self.labels_ = labels
        self.cluster_centers_ = np.stack(
            [A[labels == c].mean(axis=0) for c in range(len(centres))]
        )
        self.cluster_sizes_ = np.bincount(labels, minlength=len(centres))
        self.n_attributes_ = A.shape[1]
        template = PAGER() if self.estimator is None else self.estimator
        X = np.asarray(X)
        seeds = draw_seed(rng, size=len(centres))
        self.estimators_ = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_one)(clone(template), X[labels == c], seeds[c])
            for c in range(len(centres))
        )
        return self

    def _merge_small(self, labels, centres):
        sizes = np.bincount(labels, minlength=len(centres))
        small = sizes < self.min_cluster_size
        if not small.any():
            return labels, centres
        if small.all():
            raise ValueError(
                f"Every attribute cluster has fewer than min_cluster_size="
                f"{self.min_cluster_size} images; pass more images or a smaller minimum."
            )
        keep = np.flatnonzero(~small)
        warnings.warn(
            f"{int(small.sum())} attribute cluster(s) smaller than min_cluster_size="
            f"{self.min_cluster_size} were merged into their nearest cluster.",
            UserWarning,
            stacklevel=3,
        )
        target = keep[pairwise_distances_argmin(centres, centres[keep])]
        new_index = {old: new for new, old in enumerate(keep)}
        return np.array([new_index[t] for t in target])[labels], centres[keep]

    def _check_query(self, query):
        try:
            q = np.asarray(query, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"query must hold {self.n_attributes_} values in {{-1, 0, 1}}; got {query!r}."
            ) from None
        if q.ndim != 1 or len(q) != self.n_attributes_:
            raise ValueError(
                f"query must hold {self.n_attributes_} values in {{-1, 0, 1}}; got shape "
                f"{q.shape}."
            )
        if not np.isin(q, (-1, 0, 1)).all():
            raise ValueError("query values must be -1, 0 (don't care) or +1.")
        return q

    def select_cluster(self, query):
        """Cluster whose centre is nearest to ``query`` in cosine distance.

        Only the query's non-zero attributes count.  An all-zero query has no
        preference and returns None (:meth:`sample` then draws clusters by size).
        A query that no cluster matches (combinations never seen in training)
        still picks the nearest cluster, with a ``UserWarning`` saying on how
        many of the requested attributes its majority agrees.

        Parameters
        ----------
        query : array-like of shape (n_attributes,)
            Values in {-1, 0, +1}.

        Returns
        -------
        cluster : int or None
        """
        check_is_fitted(self)
        q = self._check_query(query)
        mask = q != 0
        if not mask.any():
            return None
        centres = self.cluster_centers_[:, mask]
        norms = np.linalg.norm(centres, axis=1) * np.linalg.norm(q[mask])
        cosine = centres @ q[mask] / np.where(norms > 0, norms, 1.0)
        best = int(np.argmax(cosine))
        # an attribute "agrees" when the cluster's majority has the query's sign
        agree = int(np.sum(centres[best] * q[mask] > 0))
        if agree < mask.sum():
            warnings.warn(
                f"No attribute cluster matches the query on all {int(mask.sum())} requested "
                f"attributes; the nearest, cluster {best} (cosine {cosine[best]:.2f}), agrees "
                f"with {agree} of them. Its images are generated.",
                UserWarning,
                stacklevel=2,
            )
        return best

    def sample(self, n_samples=1, query=None, random_state=None, *, offset=0):
        """Generate images matching ``query``.

        Every image is drawn from its own random numbers, set by the seed
        and its position in the seed's stream of images (its cluster, when
        ``query`` leaves it open, and its place in that cluster's own
        stream): ``sample(n, random_state=s)`` and the batches of
        :meth:`iter_samples` with the same seed give the same images (to
        floating-point rounding).  This needs per-cluster estimators whose
        ``sample`` takes ``offset`` (:class:`PAGER` and
        :class:`GMMCoreGenerator` do).

        Parameters
        ----------
        n_samples : int, default=1
            Number of images.
        query : array-like of shape (n_attributes,), default=None
            Values in {-1, 0, +1}; None or all zeros samples every cluster in
            proportion to its training size.
        random_state : int, RandomState instance or None, default=None
            Seed of this call; None uses the estimator's ``random_state``.
        offset : int, default=0
            Position in the stream of ``random_state`` of the first image.

        Returns
        -------
        images : ndarray
            In the layout of the per-cluster estimator's ``sample``.
        """
        check_is_fitted(self)
        check_positive_int(n_samples, "n_samples")
        offset = check_offset(offset)
        cluster = None if query is None else self.select_cluster(query)
        seed = stream_seed(self, random_state)
        before = self._cluster_counts(seed, cluster, 0, offset)
        return self._sample_range(seed, cluster, offset, n_samples, before)

    def iter_samples(self, n_samples, *, batch_size=4096, query=None, random_state=None):
        """Generate ``n_samples`` images matching ``query`` in batches.

        The batches hold, in order, the images :meth:`sample` returns for
        the same arguments, whatever ``batch_size`` is.

        Parameters
        ----------
        n_samples : int
            Number of images in all.
        batch_size : int, default=4096
            Images per batch (the last batch may be smaller).
        query : array-like of shape (n_attributes,), default=None
            Values in {-1, 0, +1}; None or all zeros samples every cluster in
            proportion to its training size.
        random_state : int, RandomState instance or None, default=None
            Seed of the whole run; None uses the estimator's ``random_state``.

        Returns
        -------
        batches : generator of ndarray
            Yields arrays of at most ``batch_size`` images.
        """
        check_is_fitted(self)
        pieces = sample_batches(n_samples, batch_size)
        cluster = None if query is None else self.select_cluster(query)
        seed = stream_seed(self, random_state)

        def batches():
            before = np.zeros(len(self.estimators_), dtype=np.int64)
            for start, stop, _ in pieces:
                yield self._sample_range(seed, cluster, start, stop - start, before)
                before = before + self._cluster_counts(seed, cluster, start, stop)

        return batches()

    def _clusters(self, seed, cluster, start, stop):
        """The cluster of every position ``start .. stop - 1`` of the stream."""
        if cluster is not None:
            return np.full(stop - start, cluster)
        keys = sub_keys(index_keys(seed, start, stop), 1)
        return categorical(keys, self.cluster_sizes_ / self.cluster_sizes_.sum())

    def _cluster_counts(self, seed, cluster, start, stop, chunk=1 << 20):
        """Images of every cluster among the positions ``start .. stop - 1``."""
        counts = np.zeros(len(self.estimators_), dtype=np.int64)
        for a in range(start, stop, chunk):
            drawn = self._clusters(seed, cluster, a, min(a + chunk, stop))
            counts += np.bincount(drawn, minlength=len(counts))
        return counts

    def _sample_range(self, seed, cluster, offset, n_samples, before):
        """Images ``offset .. offset + n_samples - 1`` of the stream, given how
        many images of every cluster come before ``offset``."""
        clusters = self._clusters(seed, cluster, offset, offset + n_samples)
        seeds = draw_seed(np.random.RandomState(seed), size=len(self.estimators_))
        out = None
        for c in np.unique(clusters):
            idx = np.flatnonzero(clusters == c)
            estimator = self.estimators_[c]
            if _accepts(estimator.sample, "offset"):
                part = estimator.sample(len(idx), random_state=seeds[c], offset=int(before[c]))
            elif before[c] == 0 and len(idx) == n_samples and offset == 0:
                part = estimator.sample(len(idx), random_state=seeds[c])
            else:
                raise ValueError(
                    f"The per-cluster estimator {type(estimator).__name__} has no offset "
                    "keyword in its sample method, so it cannot be sampled in batches or "
                    "over several clusters."
                )
            part = np.asarray(part)
            if out is None:
                out = np.empty((n_samples,) + part.shape[1:], dtype=part.dtype)
            out[idx] = part
        return out
