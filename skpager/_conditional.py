"""The conditional enhancer: the exact Gaussian conditional of the AC given the local DC."""

from numbers import Integral, Real

import numpy as np
from scipy.linalg import cho_factor, cho_solve, solve_triangular
from sklearn import config_context
from sklearn.cluster import MiniBatchKMeans
from sklearn.utils.validation import check_is_fitted

from ._basis import to_coords
from ._compat import Interval, _fit_context
from ._enhancer_base import BaseEnhancer, MeanScoreMixin
from ._image import overlap_add, sliding_windows
from ._random import image_keys, standard_normal
from ._utils import MAX_TEMPERATURE, draw_seed, groups, nearest_centres, single_blas_thread

__all__ = ["ConditionalEnhancer"]

_LOG_2PI = np.log(2 * np.pi)
# Images per chunk in transform and score (bounds the memory of the windows).
_CHUNK_IMAGES = 1024
# Mini-batch size of the context k-means.
_KMEANS_BATCH = 4096
# Training windows per block of the pooled moments (bounds their temporaries).
_MOMENT_ROWS = 65536


def _contexts(dc, context, stride, margin, rows=None):
    """DC contexts of the windows, flattened: ``(n * ny * nx, context**2 * C)``,
    in an array of their own.

    The DC is edge-padded by ``margin``, so a window at the border has a
    full context.  ``rows`` (image, iy, ix) picks some windows only.
    """
    padded = np.pad(dc, ((0, 0), (margin, margin), (margin, margin), (0, 0)), mode="edge")
    view = np.lib.stride_tricks.sliding_window_view(padded, (context, context), axis=(1, 2))
    view = view[:, ::stride, ::stride]  # (n, ny, nx, C, context, context)
    if rows is not None:
        view = view[rows[0], rows[1], rows[2]]
    out = np.moveaxis(view, -3, -1).reshape(-1, context * context * dc.shape[-1])
    # overlapping windows are copied by the reshape; a view (one image whose
    # padded width is the context) is copied here, so the caller may write
    return out.copy() if np.may_share_memory(out, padded) else out


def _centred_scatter(blocks, mean):
    """``sum (x - mean)(x - mean)^T`` over the rows of the row ``blocks``
    (an iterable), one block at a time: no centred copy of all rows."""
    scatter = np.zeros((len(mean), len(mean)))
    for block in blocks:
        centred = block - mean
        scatter += centred.T @ centred
    return scatter


def _row_blocks(*arrays):
    """``_MOMENT_ROWS`` rows at a time of the arrays side by side, each
    block made when it is asked for."""
    for start in range(0, len(arrays[0]), _MOMENT_ROWS):
        yield np.hstack([a[start : start + _MOMENT_ROWS] for a in arrays])


def _leading_axes(data, n_axes):
    """``(mean, axes)`` (float32) of the ``n_axes`` leading principal axes of
    ``data``, from the eigenvectors of its covariance (the data has many more
    rows than columns; the scatter is summed over blocks of rows), with a
    deterministic sign (largest entry positive)."""
    mean = data.mean(axis=0)
    eigval, eigvec = np.linalg.eigh(_centred_scatter(_row_blocks(data), mean))
    axes = eigvec[:, np.argsort(eigval)[::-1][:n_axes]].T
    signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])
    return mean.astype(np.float32), (axes * signs[:, None]).astype(np.float32)


class ConditionalEnhancer(MeanScoreMixin, BaseEnhancer):
    """Double the resolution with the Gaussian conditional of the AC given the DC.

    An skpager extension of the paper's enhancer (the principled form of the
    ridge regressors from DC to AC that the authors' code adds).  The DC is
    the Lanczos upsampling of the input, the AC the rest of the true image.
    The output is covered by overlapping ``window x window`` windows at
    ``stride``.  Each window is described by its *context*, the
    ``context x context`` DC patch centred on it, minus its mean, on the
    ``n_context_features`` leading principal axes of the training contexts:
    ``z``.  A k-means of the contexts makes ``n_clusters`` clusters, and in
    each cluster ``k`` the context features and the window's AC ``a`` are
    modelled jointly by one Gaussian, so that the AC given the context is an
    exact Gaussian conditional:

    .. math::

        a \\mid z \\sim \\mathcal N\\big(\\mu_a + B (z - \\mu_z),\\ S\\big),
        \\quad B = \\Sigma_{az}\\Sigma_{zz}^{-1},
        \\quad S = \\Sigma_{aa} - B\\,\\Sigma_{za}

    (the mean is linear in the DC, the covariance the Schur complement).
    Every cluster's mean and covariance are shrunk towards the pooled ones
    with the weight of ``covariance_prior`` windows, so small or empty
    clusters stay well defined.  :meth:`transform` adds, at every pixel, the
    average of the conditional means of the windows covering it, plus, at
    ``temperature > 0``, draws from the conditional covariance scaled by
    ``temperature`` (blended so that their variance is kept); the draws of
    an image depend on its own pixels and the seed only.  At temperature 0
    the output is deterministic super-resolution.

    Read more in the :ref:`User Guide <conditional>`.

    Parameters
    ----------
    n_clusters : int, default=64
        k-means clusters of the window contexts; one Gaussian each.
    window : int, default=4
        Side of the output windows whose AC is modelled (at most the output
        side: a larger value is reduced to it).
    stride : int, default=2
        Step between windows (``window`` gives non-overlapping windows).
        ``2h - window`` must be a multiple of it, so the windows cover the
        output.
    context : int, default=8
        Side of the DC patch, centred on the window, that conditions its AC
        (``context - window`` must be even and non-negative).
    n_context_features : int, default=32
        Principal axes of the mean-removed contexts kept as ``z``.
    temperature : float in [0, 10], default=0.0
        Scale of the conditional covariance in :meth:`transform` (unless the
        call passes its own); 0 gives the conditional mean.
    covariance_prior : float, default=None
        Weight, in windows, of the pooled mean and covariance in each
        cluster's (a conjugate-prior shrinkage).  None uses the dimension of
        the joint Gaussian.
    max_windows : int, default=200000
        Training windows (a random subset of all images' windows).
    image_shape : tuple of int, default=None
        ``(h, w)`` or ``(h, w, C)`` of the low-resolution rows of 2-D ``X``;
        set from n-D input.  None reads a row as a grey ``1 x n_features`` image.
    random_state : int, RandomState instance or None, default=None
        Seeds the window subset, the k-means and, in :meth:`transform`,
        the draws.
    verbose : int, default=0
        Progress messages.

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(h, w, C)`` of the low-resolution input.
    output_shape_ : tuple of int
        ``(2h, 2w, C)``.
    window_ : int
        Side of the windows actually used.
    context_basis_ : tuple of ndarray
        ``(mean, axes)`` of the context features.
    cluster_centers_ : ndarray of shape (n_clusters, n_context_features)
        k-means centres of the context features.
    means_ : ndarray of shape (n_clusters, n_context_features + n_ac)
        Joint mean ``(mu_z, mu_a)`` of every cluster.
    coefs_ : ndarray of shape (n_clusters, n_ac, n_context_features)
        ``B`` of every cluster.
    cond_chol_ : ndarray of shape (n_clusters, n_ac, n_ac)
        Lower Cholesky factor of the conditional covariance ``S``.
    n_parameters_ : int
        Learned parameters.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    See Also
    --------
    ResolutionEnhancer : The paper's enhancer (one AC mixture per DC cluster).
    ExemplarEnhancer : Copies stored training AC.

    Examples
    --------
    >>> from skpager import ConditionalEnhancer
    >>> from skpager.datasets import load_demo
    >>> from skpager.image import resize
    >>> high = load_demo().images[:300, 2:26, 2:26]
    >>> low = resize(high, 12)
    >>> sr = ConditionalEnhancer(n_clusters=4, random_state=0).fit(low, high)
    >>> sr.transform(low[:2]).shape
    (2, 24, 24, 1)
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "context": [Interval(Integral, 1, None, closed="left")],
        "n_context_features": [Interval(Integral, 1, None, closed="left")],
        "temperature": [Interval(Real, 0, MAX_TEMPERATURE, closed="both")],
        "covariance_prior": [Interval(Real, 0, None, closed="left"), None],
        "max_windows": [Interval(Integral, 2, None, closed="left")],
        "image_shape": [tuple, list, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_clusters=64,
        *,
        window=4,
        stride=2,
        context=8,
        n_context_features=32,
        temperature=0.0,
        covariance_prior=None,
        max_windows=200000,
        image_shape=None,
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.window = window
        self.stride = stride
        self.context = context
        self.n_context_features = n_context_features
        self.temperature = temperature
        self.covariance_prior = covariance_prior
        self.max_windows = max_windows
        self.image_shape = image_shape
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, *, labels=None):
        """Fit the context clusters and the joint Gaussian of every cluster.

        Parameters
        ----------
        X : array-like of shape (n_samples, h*w*C) or (n_samples, h, w[, C])
            Low-resolution images in [0, 1].
        y : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            The same images at ``H = 2**j * h`` (j >= 1).
        labels : array-like of shape (n_samples,), default=None
            Accepted for the stage contract (checked, then ignored).

        Returns
        -------
        self : ConditionalEnhancer
            The fitted enhancer.
        """
        return self._fit_validated(X, y, labels)

    def _check_geometry(self):
        """Set ``window_`` (``window``, at most the output side) and check that
        the windows tile the output and that the context is centred."""
        h2, w2, _ = self.output_shape_
        self.window_ = min(self.window, h2, w2)
        if (h2 - self.window_) % self.stride or (w2 - self.window_) % self.stride:
            raise ValueError(
                f"window={self.window} and stride={self.stride} must tile the output "
                f"({h2}x{w2}): side - window must be a multiple of the stride."
            )
        if self.context < self.window_ or (self.context - self.window_) % 2:
            raise ValueError(
                f"context={self.context} must be at least window={self.window_}, with an "
                "even difference (the context is centred on the window)."
            )

    def _grid(self):
        h2, w2, _ = self.output_shape_
        return (h2 - self.window_) // self.stride + 1, (w2 - self.window_) // self.stride + 1

    def _fit_pairs(self, low, high, labels, rng):
        self._check_geometry()
        n = len(low)
        ny, nx = self._grid()
        margin = (self.context - self.window_) // 2
        m = min(self.max_windows, n * ny * nx)
        pick = rng.choice(n * ny * nx, size=m, replace=False)
        rows = np.unravel_index(pick, (n, ny, nx))
        ctx, ac = self._picked_windows(low, high, rows, margin)
        # centred and projected in place: the contexts of all windows exist
        # once, and not past their projection
        ctx -= ctx.mean(axis=1, keepdims=True)
        self.context_basis_ = _leading_axes(ctx, self.n_context_features)
        z = to_coords(self.context_basis_, ctx, overwrite_data=True)
        del ctx
        k = min(self.n_clusters, m)
        if self.verbose:
            print(
                f"[ConditionalEnhancer] {m:,} windows, {z.shape[1]} context features, {k} clusters"
            )
        with config_context(array_api_dispatch=False):
            kmeans = MiniBatchKMeans(
                n_clusters=k, random_state=draw_seed(rng), batch_size=_KMEANS_BATCH, n_init=1
            ).fit(z)
        self.cluster_centers_ = kmeans.cluster_centers_
        assign = kmeans.labels_  # the nearest final centre of every window
        self._fit_gaussians(z, ac, assign)
        p = ac.shape[1]
        self.n_parameters_ = int(
            sum(a.size for a in self.context_basis_)
            + self.cluster_centers_.size
            + self.means_.size
            + self.coefs_.size
            + len(self.coefs_) * p * (p + 1) // 2
        )

    def _picked_windows(self, low, high, rows, margin):
        """DC contexts and AC of the picked windows ``rows`` (image, iy, ix),
        in their order, computed ``_CHUNK_IMAGES`` images at a time: the
        DC, its padded copy and the AC exist for one chunk of images only,
        never for the whole training set."""
        images = rows[0]
        channels = low.shape[-1]
        ctx = np.empty((len(images), self.context**2 * channels))
        ac = np.empty((len(images), self.window_**2 * channels))
        order = np.argsort(images, kind="stable")
        starts = range(0, len(low), _CHUNK_IMAGES)
        bounds = np.searchsorted(images[order], [*starts, len(low)])
        for start, lo, hi in zip(starts, bounds[:-1], bounds[1:], strict=True):
            if lo == hi:
                continue
            sel = order[lo:hi]
            stop = start + _CHUNK_IMAGES
            part = (images[sel] - start, rows[1][sel], rows[2][sel])
            dc = self._dc(low[start:stop])
            ctx[sel] = _contexts(dc, self.context, self.stride, margin, part)
            ac[sel] = sliding_windows(high[start:stop], self.window_, self.stride, part)
            ac[sel] -= sliding_windows(dc, self.window_, self.stride, part)
        return ctx, ac

    def _fit_gaussians(self, z, ac, assign):
        """Shrunk joint Gaussians of ``(z, ac)`` per cluster, then their
        conditionals; the joint rows exist per block and per cluster only."""
        k = len(self.cluster_centers_)
        d = z.shape[1]
        dim = d + ac.shape[1]
        prior = float(dim if self.covariance_prior is None else self.covariance_prior)
        pooled_mean = np.concatenate([z.mean(axis=0), ac.mean(axis=0)])
        pooled_cov = _centred_scatter(_row_blocks(z, ac), pooled_mean) / max(len(z) - 1, 1)
        self.means_ = np.empty((k, dim))
        self.coefs_ = np.empty((k, dim - d, d))
        self.cond_chol_ = np.empty((k, dim - d, dim - d))
        jitter = 1e-10 * max(np.trace(pooled_cov) / dim, 1e-12)
        rows = dict(groups(assign))
        with single_blas_thread():  # a thousand small factorisations
            self._fit_cluster_gaussians(z, ac, rows, prior, pooled_mean, pooled_cov, jitter)

    def _fit_cluster_gaussians(self, z, ac, rows, prior, pooled_mean, pooled_cov, jitter):
        d = z.shape[1]
        dim = d + ac.shape[1]
        for c in range(len(self.cluster_centers_)):
            idx = rows.get(c, np.zeros(0, dtype=np.intp))
            members = np.hstack([z[idx], ac[idx]])
            count = len(members)
            mean = members.mean(axis=0) if count else pooled_mean
            scatter = (members - mean).T @ (members - mean) if count else 0.0
            shift = np.outer(mean - pooled_mean, mean - pooled_mean)
            # normal-inverse-Wishart posterior around the pooled Gaussian
            self.means_[c] = (count * mean + prior * pooled_mean) / (count + prior)
            cov = (scatter + prior * pooled_cov + (count * prior / (count + prior)) * shift) / (
                count + prior
            )
            cov_zz, cov_az, cov_aa = cov[:d, :d], cov[d:, :d], cov[d:, d:]
            factor = cho_factor(cov_zz + jitter * np.eye(d), lower=True)
            coef = cho_solve(factor, cov_az.T).T
            schur = cov_aa - coef @ cov_az.T
            schur = (schur + schur.T) / 2 + jitter * np.eye(dim - d)
            self.coefs_[c] = coef
            self.cond_chol_[c] = np.linalg.cholesky(schur)

    # ------------------------------------------------------------ transform
    def _features(self, dc, stride=None):
        """Context features and cluster of the windows at ``stride``
        (default: the model's)."""
        margin = (self.context - self.window_) // 2
        ctx = _contexts(dc, self.context, stride or self.stride, margin)
        # centred and projected in place (the contexts are a fresh array):
        # the same arithmetic as fit's, so that a flat context is exactly
        # zero once centred, whatever the batch (a tie between centres is
        # then broken the same way for every image)
        ctx -= ctx.mean(axis=1, keepdims=True)
        z = to_coords(self.context_basis_, ctx, overwrite_data=True)
        return z, nearest_centres(z, self.cluster_centers_)

    def _conditional_means(self, z, assign):
        d = z.shape[1]
        out = np.empty((len(z), self.coefs_.shape[1]))
        with single_blas_thread():  # one small product per cluster
            for c, idx in groups(assign):
                out[idx] = self.means_[c, d:] + (z[idx] - self.means_[c, :d]) @ self.coefs_[c].T
        return out

    def _enhance(self, low, labels, temperature, rng):
        seed = draw_seed(rng)
        return np.concatenate(
            [
                self._enhance_chunk(low[i : i + _CHUNK_IMAGES], temperature, seed)
                for i in range(0, len(low), _CHUNK_IMAGES)
            ]
        )

    def _enhance_chunk(self, low, temperature, seed):
        dc = self._dc(low)
        n = len(dc)
        ny, nx = self._grid()
        c = dc.shape[-1]
        shape_w = (n, ny, nx, self.window_, self.window_, c)
        z, assign = self._features(dc)
        mean = overlap_add(
            self._conditional_means(z, assign).reshape(shape_w), dc.shape, *self._geometry()
        )
        ones = np.ones((1, ny, nx, self.window_, self.window_, 1))
        coverage = overlap_add(ones, (1,) + dc.shape[1:3] + (1,), *self._geometry())
        out = dc + mean / coverage
        if temperature > 0:
            p = self.coefs_.shape[1]
            noise = standard_normal(image_keys(low, seed), ny * nx * p).reshape(-1, p)
            drawn = np.empty_like(noise)
            with single_blas_thread():
                for k, idx in groups(assign):
                    drawn[idx] = noise[idx] @ self.cond_chol_[k].T
            drawn = overlap_add(drawn.reshape(shape_w), dc.shape, *self._geometry())
            out += np.sqrt(temperature) * drawn / np.sqrt(coverage)
        return out

    def _geometry(self):
        return self.window_, self.stride

    # ---------------------------------------------------------------- score
    def score_samples(self, X, y):
        """Log-likelihood of every image's AC given its DC.

        The density is that of the model read on non-overlapping windows
        (those of the stride grid at multiples of ``window``, which must
        tile the output): the product over the windows of their Gaussian
        conditionals, an exact density of the AC given the DC (the
        overlapping average that :meth:`transform` adds is not itself a
        density).

        Parameters
        ----------
        X : array-like of shape (n_samples, h*w*C) or (n_samples, h, w[, C])
            Low-resolution images.
        y : array-like
            The same images at a power-of-two multiple of the resolution.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        self._require_y(y)
        low = self._check_low(X, reset=False)
        high = self._check_high(y, low.shape[0])
        h2, w2, _ = self.output_shape_
        if self.window_ % self.stride or h2 % self.window_ or w2 % self.window_:
            raise ValueError(
                f"score needs non-overlapping windows that tile the output: window="
                f"{self.window_} must be a multiple of stride={self.stride} and divide {h2}x{w2}."
            )
        dc = self._dc(low.astype(np.float64))
        # the non-overlapping windows: those at stride window_
        z, assign = self._features(dc, stride=self.window_)
        resid = sliding_windows(high - dc, self.window_, self.window_) - self._conditional_means(
            z, assign
        )
        ll = np.empty(len(resid))
        p = resid.shape[1]
        for k, idx in groups(assign):
            chol = self.cond_chol_[k]
            white = solve_triangular(chol, resid[idx].T, lower=True)
            log_det = 2 * np.log(np.diag(chol)).sum()
            ll[idx] = -0.5 * (np.sum(white**2, axis=0) + log_det + p * _LOG_2PI)
        return ll.reshape(len(dc), -1).sum(axis=1)
