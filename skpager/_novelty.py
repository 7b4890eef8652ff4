"""Novelty detection from a generative model's log-likelihood."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OutlierMixin, clone
from sklearn.utils.validation import check_is_fitted

from ._compat import HasMethods, Interval, StrOptions, _fit_context

__all__ = ["LikelihoodNoveltyDetector"]


class LikelihoodNoveltyDetector(OutlierMixin, BaseEstimator):
    """Novelty detection by the log-likelihood of a generative model.

    Fits a density model (a :class:`PAGER` by default) on normal images, then
    scores new images by their log-likelihood: the lower, the more novel.
    :meth:`predict` flags as novelties (-1) the images whose score falls
    below the ``contamination`` quantile of the training images' scores, as
    scikit-learn's outlier detectors do, so the detector drops into
    scikit-learn's outlier-detection tooling.

    PAGER's likelihood is a sum over scales (:meth:`PAGER.score_stages`): the
    core's log-likelihood of the downsampled image, then each octave's
    conditional log-likelihood of the detail it adds.  The fine terms
    measure local smoothness and texture, which simple images from other
    data (dark backgrounds, little texture) score *higher* than the training
    images do (the failure of likelihood models that Nalisnick et al., 2019,
    describe); the coarse term carries the shapes.  ``likelihood="coarse"``
    scores with the coarse term alone.  Read more in the :ref:`User Guide
    <novelty>`; measured AUROC: the :doc:`results page </benchmarks>`.

    Parameters
    ----------
    estimator : estimator, default=None
        Density model with ``fit(X, y=None)`` and ``score_samples(X)``
        (cloned); None uses ``PAGER(random_state=random_state)``.
    likelihood : {"coarse", "full"}, default="coarse"
        ``"coarse"``: the first column of the estimator's ``score_stages``
        (PAGER's core term; an estimator without ``score_stages`` has one
        term, its ``score_samples``).  ``"full"``: the estimator's
        ``score_samples`` (for PAGER, every stage's term).
    contamination : float in (0, 0.5], default=0.1
        Share of the training images that :meth:`predict` would flag: the
        threshold ``offset_`` is that quantile of their scores.
    random_state : int, RandomState instance or None, default=None
        Seeds the default estimator (ignored when ``estimator`` is given).

    Attributes
    ----------
    estimator_ : estimator
        The fitted density model.
    offset_ : float
        Threshold on :meth:`score_samples`: ``decision_function`` is
        ``score_samples - offset_``.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    See Also
    --------
    sklearn.ensemble.IsolationForest : A detector on the pixels.
    sklearn.neighbors.LocalOutlierFactor : Another, with ``novelty=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from skpager import GMMCoreGenerator, LikelihoodNoveltyDetector
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(200, 8, 8) * 0.5
    >>> detector = LikelihoodNoveltyDetector(
    ...     GMMCoreGenerator(n_components=2, pca_variance=0.9, random_state=0)
    ... ).fit(X)
    >>> detector.predict(np.vstack([X[:2], np.ones((1, 8, 8))])).tolist()
    [1, 1, -1]
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "score_samples"]), None],
        "likelihood": [StrOptions({"coarse", "full"})],
        "contamination": [Interval(Real, 0, 0.5, closed="right")],
        "random_state": ["random_state"],
    }

    def __init__(
        self, estimator=None, *, likelihood="coarse", contamination=0.1, random_state=None
    ):
        self.estimator = estimator
        self.likelihood = likelihood
        self.contamination = contamination
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the density model on normal images and set the threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]) or (n_samples, n_features)
            Normal images.
        y : array-like of shape (n_samples,), default=None
            Class labels, passed to the estimator's ``fit`` (a
            class-conditional model); scores use the mixture over classes.

        Returns
        -------
        self : LikelihoodNoveltyDetector
            The fitted detector.
        """
        if self.estimator is None:
            from ._pager import PAGER

            self.estimator_ = PAGER(random_state=self.random_state)
        else:
            self.estimator_ = clone(self.estimator)
        self.estimator_.fit(X, y)
        self.n_features_in_ = self.estimator_.n_features_in_
        if hasattr(self.estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.estimator_.feature_names_in_
        self.offset_ = float(np.quantile(self.score_samples(X), self.contamination))
        return self

    def score_samples(self, X):
        """Normality score of every image (higher is more normal).

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]) or (n_samples, n_features)
            Images like the training images.

        Returns
        -------
        score : ndarray of shape (n_samples,)
            The log-likelihood chosen by ``likelihood``.
        """
        check_is_fitted(self)
        if self.likelihood == "coarse" and hasattr(self.estimator_, "score_stages"):
            score = self.estimator_.score_stages(X)[:, 0]
        else:
            score = self.estimator_.score_samples(X)
        return np.asarray(score, dtype=np.float64)

    def decision_function(self, X):
        """Score minus the threshold: negative for novelties.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]) or (n_samples, n_features)
            Images like the training images.

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            ``score_samples(X) - offset_``.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """+1 for normal images, -1 for novelties.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]) or (n_samples, n_features)
            Images like the training images.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            -1 where :meth:`decision_function` is negative, else +1.
        """
        return np.where(self.decision_function(X) < 0, -1, 1)
