"""Image conventions shared by every skpager estimator.

The canonical ``X`` is 2-D, ``(n_samples, H * W * C)``, flattened row-major from
channel-last images, with ``image_shape=(H, W)`` or ``(H, W, C)`` telling how to
fold a row back into an image.  n-D arrays ``(n, H, W)`` / ``(n, H, W, C)`` are
accepted too and flattened before validation; their shape then fixes the image
shape.

Pixel values follow one rule in the whole package (:func:`as_flat_images`):
``uint16`` images are read on their 16-bit scale (divided by 65535), every other
integer dtype (``uint8``, ``int64``, ...) on the 8-bit scale (divided by 255;
values outside 0..255 raise), booleans as 0/1, and floats are intensities in
[0, 1].  Image estimators refuse floats outside [-1, 2] (the margin is the
overshoot of resampling filters and sampled detail in the images one stage hands
to the next) with an error that says to divide by 255;
:class:`~skpager.SaabTransformer`, a linear transform, takes any finite floats.

Every down- or up-sampling in the package goes through :func:`resize`, so that
training pairs and generation use the same filter.
"""

from numbers import Integral

import cv2
import numpy as np

__all__ = [
    "as_flat_images",
    "rescale_pixels",
    "check_pixel_range",
    "validate_images",
    "check_target_images",
    "resolve_image_shape",
    "to_images",
    "to_layout",
    "check_divisible",
    "pad_images",
    "crop_images",
    "resize",
    "to_windows",
    "from_windows",
    "check_mask",
    "known_pixels",
    "masked_resize",
]

#: Floats an image estimator accepts: [0, 1] widened by this margin on each side.
PIXEL_MARGIN = 1.0

# OpenCV 5 accepts at most 128 channels per resize call (OpenCV 4: 512).
_CV_MAX_CHANNELS = 128

_INTERPOLATIONS = {
    "lanczos": cv2.INTER_LANCZOS4,
    "cubic": cv2.INTER_CUBIC,
    "linear": cv2.INTER_LINEAR,
    "area": cv2.INTER_AREA,
    "nearest": cv2.INTER_NEAREST,
}


def as_flat_images(X, image_shape=None, name="X"):
    """Flatten n-D image arrays and rescale integer pixels (:func:`rescale_pixels`).

    Parameters
    ----------
    X : array-like or DataFrame
        ``(n, H*W*C)``, ``(n, H, W)`` or ``(n, H, W, C)``.  2-D input that is not
        a numpy array (a DataFrame, a list of float rows) is returned untouched
        so that ``validate_data`` still sees feature names; lists of integers
        become arrays and follow the pixel rule.
    image_shape : tuple of int or None
        The estimator's ``image_shape`` parameter, checked against n-D input.
    name : str, default="X"
        The argument's name in error messages.

    Returns
    -------
    X : array-like
        2-D data, ready for ``validate_data``.
    image_shape : tuple of int or None
        ``image_shape`` if given, else the shape read off n-D input, else None.
    is_nd : bool
        Whether the input was n-D (generating methods then answer in n-D too).
    """
    if isinstance(X, list | tuple):
        arr = np.asarray(X)
        if arr.ndim > 2 or arr.dtype.kind in "biu":
            X = arr
    if not (hasattr(X, "ndim") and hasattr(X, "dtype") and hasattr(X, "reshape")):
        return X, image_shape, False
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):  # sparse: let validation reject it
        return X, image_shape, False
    is_nd = X.ndim > 2
    if is_nd:
        if X.ndim > 4:
            raise ValueError(
                f"Expected images of shape (n, H, W) or (n, H, W, C); got an array with "
                f"{X.ndim} dimensions {X.shape}."
            )
        nd_shape = tuple(int(s) for s in X.shape[1:])
        if image_shape is not None and _normalise_shape(image_shape) != _normalise_shape(nd_shape):
            raise ValueError(
                f"image_shape={tuple(image_shape)} does not match the shape of the images "
                f"passed, {nd_shape}."
            )
        image_shape = nd_shape
        if X.shape[0] == 0 or 0 in nd_shape:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is "
                f"required: {name} must hold at least one image with at least one pixel."
            )
        X = np.asarray(X).reshape(X.shape[0], -1)
    X = rescale_pixels(X, name)
    return X, image_shape, is_nd


def rescale_pixels(X, name="X"):
    """Integer and boolean pixels to floats in [0, 1], by the package's one rule.

    ``uint16`` is divided by 65535, any other integer dtype by 255 (its values
    must lie in 0..255), booleans become 0/1; floats and other dtypes pass
    through untouched (validation deals with them).
    """
    dtype = getattr(X, "dtype", None)
    if dtype is None:
        return X
    if dtype == np.bool_:
        return np.asarray(X, dtype=np.float64)
    if dtype.kind not in "iu":
        return X
    X = np.asarray(X)
    if dtype == np.uint16:
        return X.astype(np.float64) / 65535.0
    if dtype != np.uint8 and X.size and (X.min() < 0 or X.max() > 255):
        raise ValueError(
            f"{name} has integer dtype {dtype} with values in [{X.min()}, {X.max()}]; integer "
            "pixels are read as 8-bit values 0..255 (uint16 as 0..65535). Rescale to floats "
            "in [0, 1] or cast to uint8/uint16."
        )
    return X.astype(np.float64) / 255.0


def check_pixel_range(X, name="X"):
    """Raise when float pixels leave [0, 1] by more than :data:`PIXEL_MARGIN`.

    Catches 0..255 images passed as floats, which would otherwise saturate.
    NaN is left to the finiteness check.
    """
    X = np.asarray(X)
    if X.size == 0 or X.dtype.kind != "f":
        return X
    lo, hi = np.nanmin(X), np.nanmax(X)
    if lo < -PIXEL_MARGIN or hi > 1 + PIXEL_MARGIN:
        hint = " Divide 0..255 images by 255 (or pass them as uint8)."
        hint = hint if hi > 1 + PIXEL_MARGIN else ""
        raise ValueError(
            f"{name} holds pixel values in [{lo:.4g}, {hi:.4g}]; skpager takes intensities in "
            f"[0, 1] (floats within [{-PIXEL_MARGIN}, {1 + PIXEL_MARGIN}] are accepted).{hint}"
        )
    return X


def validate_images(estimator, X, *, reset, default="row", pixels=True):
    """Validate images for ``estimator`` and return them 2-D.

    Flattens n-D input, rescales integer pixels, runs scikit-learn's
    ``validate_data`` (finite floats, ``n_features_in_``), with ``pixels``
    refuses floats outside the pixel range (:func:`check_pixel_range`), and on ``reset``
    stores ``estimator.image_shape_`` (``(H, W, C)``, from the data or the
    estimator's ``image_shape``; see :func:`resolve_image_shape` for
    ``default``) and ``estimator._nd_shape`` (the n-D image shape the caller
    used, or None for 2-D input, so outputs can answer in the same layout).
    """
    from sklearn.utils.validation import validate_data

    X, shape, is_nd = as_flat_images(X, estimator.image_shape if reset else estimator.image_shape_)
    X = validate_data(estimator, X, dtype=[np.float64, np.float32], reset=reset)
    if pixels:
        check_pixel_range(X)
    if reset:
        estimator.image_shape_ = resolve_image_shape(shape, X.shape[1], default=default)
        estimator._nd_shape = shape if is_nd else None
    return X


def check_target_images(y, n_samples, shape, *, min_ratio, what):
    """Validate paired target images and bring them to ``min_ratio`` times ``shape``.

    ``y`` must hold ``n_samples`` finite images whose side is ``shape``'s times
    a power of two of at least ``min_ratio`` (1: same size allowed, 2: at least
    twice); larger ones are downsampled with :func:`resize`.  ``what`` says in
    the error which sizes are accepted.

    Returns
    -------
    images : ndarray of shape (n_samples, min_ratio*h, min_ratio*w, C), float64
    """
    h, w, c = shape
    arr, _, _ = as_flat_images(y, name="y")
    arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim == 1:
        raise ValueError("y must hold images (n, H, W[, C]) or (n, H*W*C); got a 1-D array.")
    if len(arr) != n_samples:
        raise ValueError(
            f"X has {n_samples} images but y has {len(arr)}; y must hold one true image per "
            "image of X."
        )
    values = arr.reshape(len(arr), -1).shape[1]
    ratio = int(round(np.sqrt(values / (h * w * c))))
    if ratio < min_ratio or ratio & (ratio - 1) or values != h * w * c * ratio * ratio:
        raise ValueError(f"y must be {what} ({h}x{w}x{c}); got {values} values per image.")
    if not np.all(np.isfinite(arr)):
        raise ValueError("y contains NaN or infinity.")
    check_pixel_range(arr, "y")
    images = arr.reshape(n_samples, h * ratio, w * ratio, c)
    return images if ratio == min_ratio else resize(images, (min_ratio * h, min_ratio * w))


def _normalise_shape(shape):
    shape = tuple(int(s) for s in shape)
    return shape if len(shape) == 3 else shape + (1,)


def resolve_image_shape(image_shape, n_features, default="channels"):
    """Return ``(H, W, C)`` for ``image_shape`` and check it against ``n_features``.

    Parameters
    ----------
    image_shape : tuple of int or None
        ``(H, W)`` or ``(H, W, C)``.
    n_features : int
        Number of columns of the 2-D ``X``.
    default : {"channels", "row"}
        What ``image_shape=None`` means for tabular data: ``"channels"`` reads a
        row as a 1x1 image with ``n_features`` channels (one joint Saab stage over
        all features), ``"row"`` as a grey ``1 x n_features`` image.

    Returns
    -------
    shape : tuple of int
        ``(H, W, C)``.
    """
    if image_shape is None:
        return (1, 1, n_features) if default == "channels" else (1, n_features, 1)
    shape = tuple(image_shape)
    if len(shape) not in (2, 3) or not all(
        isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in shape
    ):
        raise ValueError(
            f"image_shape must be (H, W) or (H, W, C) with positive integers; got {image_shape!r}."
        )
    shape = _normalise_shape(shape)
    if int(np.prod(shape)) != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)} implies {int(np.prod(shape))} features per "
            f"image, but X has {n_features} features."
        )
    return shape


def to_images(X, shape):
    """View 2-D ``X`` as ``(n, H, W, C)`` images (no copy)."""
    return X.reshape((X.shape[0],) + tuple(shape))


def to_layout(images, nd_shape):
    """Return ``(n, H, W, C)`` images in the layout the caller used.

    ``nd_shape`` is the n-D image shape the caller passed (as stored by
    :func:`validate_images`), or None for 2-D input.  2-D callers get
    ``(n, H*W*C)``; n-D callers get ``(n, H, W)`` when they passed grey
    ``(H, W)`` images and ``(n, H, W, C)`` otherwise.  Only the number of
    dimensions of ``nd_shape`` matters, so it also serves outputs whose size
    differs from the input's (enhancers, generators).
    """
    if nd_shape is None:
        return images.reshape(images.shape[0], -1)
    if len(nd_shape) == 2 and images.shape[-1] == 1:
        return images[..., 0]
    return images


def check_divisible(height, width, factor, what):
    """Raise a ValueError unless both sides are divisible by ``factor``."""
    if height % factor or width % factor:
        raise ValueError(
            f"{what}: image sides must be divisible by {factor}; got {height}x{width}. "
            "Pad the images (e.g. 28x28 to 32x32) or ask for fewer stages."
        )


def pad_images(images, height, width):
    """Zero-pad ``(n, h, w, C)`` images symmetrically to ``height x width``."""
    n, h, w, c = images.shape
    if h > height or w > width:
        raise ValueError(f"Cannot pad {h}x{w} images to the smaller size {height}x{width}.")
    top, left = (height - h) // 2, (width - w) // 2
    out = np.zeros((n, height, width, c), dtype=images.dtype)
    out[:, top : top + h, left : left + w] = images
    return out


def crop_images(images, height, width):
    """Crop the centre ``height x width`` of ``(n, h, w, C)`` images; undoes :func:`pad_images`."""
    n, h, w, c = images.shape
    if h < height or w < width:
        raise ValueError(f"Cannot crop {h}x{w} images to the larger size {height}x{width}.")
    top, left = (h - height) // 2, (w - width) // 2
    return images[:, top : top + height, left : left + width]


def resize(images, size, interpolation="lanczos"):
    """Resample a batch of channel-last images with OpenCV.

    The one resampling routine of the package.  The batch is folded into the
    channel axis, so OpenCV loops in C over at most 128 channels per call.
    Downsampling by more than 2 proceeds by successive halvings, so that each
    Lanczos step sees a factor of at most 2 (OpenCV's Lanczos kernel does not
    widen with the scale and would alias otherwise).

    Parameters
    ----------
    images : ndarray of shape (n, h, w, C)
        Float images.
    size : int or tuple of int
        Output ``(height, width)``; an int means a square.  Note the order:
        height first, as numpy shapes, unlike ``cv2.resize``.
    interpolation : {"lanczos", "cubic", "linear", "area", "nearest"}
        The filter.

    Returns
    -------
    ndarray of shape (n, height, width, C)
        Same dtype as ``images`` (float32 and float64; other dtypes become float64).
    """
    height, width = (size, size) if isinstance(size, Integral) else tuple(size)
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"interpolation must be one of {sorted(_INTERPOLATIONS)}; got {interpolation!r}."
        )
    images = np.asarray(images)
    if images.dtype not in (np.float32, np.float64):
        images = images.astype(np.float64)
    n, h, w, c = images.shape
    while interpolation == "lanczos" and h > 2 * height and w > 2 * width:
        h, w = h // 2, w // 2
        images = _resize_once(images, h, w, _INTERPOLATIONS[interpolation])
    if (h, w) == (height, width):
        return images.copy()
    return _resize_once(images, height, width, _INTERPOLATIONS[interpolation])


def _resize_once(images, height, width, flag):
    n, h, w, c = images.shape
    out = np.empty((height, width, n * c), dtype=images.dtype)
    for start in range(0, n * c, _CV_MAX_CHANNELS):
        stop = min(start + _CV_MAX_CHANNELS, n * c)
        # the images holding channels start..stop of the batch folded into
        # the channel axis, folded for this call only (no copy of the batch)
        first, last = start // c, -(-stop // c)
        part = images[first:last].transpose(1, 2, 0, 3).reshape(h, w, -1)
        chunk = np.ascontiguousarray(part[:, :, start - first * c : stop - first * c])
        res = cv2.resize(chunk, (width, height), interpolation=flag)  # cv2 takes (w, h)
        out[:, :, start:stop] = res.reshape(height, width, -1)
    return out.reshape(height, width, n, c).transpose(2, 0, 1, 3)


def to_windows(images, wh, ww):
    """``(n, H, W, C)`` -> ``(n * H/wh * W/ww, wh * ww * C)`` non-overlapping windows.

    The windows of one image are consecutive rows, in row-major order of
    their positions.
    """
    n, h, w, c = images.shape
    blocks = images.reshape(n, h // wh, wh, w // ww, ww, c).transpose(0, 1, 3, 2, 4, 5)
    return blocks.reshape(-1, wh * ww * c)


def from_windows(windows, shape, wh, ww):
    """Inverse of :func:`to_windows`: windows back to ``shape = (n, H, W, C)`` images."""
    n, h, w, c = shape
    blocks = windows.reshape(n, h // wh, w // ww, wh, ww, c).transpose(0, 1, 3, 2, 4, 5)
    return blocks.reshape(shape)


def _pair(window):
    return (window, window) if np.isscalar(window) else tuple(window)


def sliding_windows(images, window, stride, rows=None):
    """Windows of ``images`` ``(n, H, W, C)`` at ``stride``, flattened:
    ``(n * ny * nx, wh * ww * C)``, those of one image consecutive in
    row-major order of their positions.  ``window`` and ``stride`` are one
    number or a ``(vertical, horizontal)`` pair; ``rows`` (image, iy, ix)
    picks some windows only."""
    (wh, ww), (sy, sx) = _pair(window), _pair(stride)
    view = np.lib.stride_tricks.sliding_window_view(images, (wh, ww), axis=(1, 2))
    view = view[:, ::sy, ::sx]
    if rows is not None:
        view = view[rows[0], rows[1], rows[2]]
    return np.moveaxis(view, -3, -1).reshape(-1, wh * ww * images.shape[-1])


def overlap_add(windows, shape, window, stride):
    """Sum of the windows ``(n, ny, nx, wh, ww, C)`` at their places in images
    of ``shape`` ``(n, H, W, C)`` (the adjoint of :func:`sliding_windows`)."""
    (wh, ww), (sy, sx) = _pair(window), _pair(stride)
    out = np.zeros(shape)
    ny, nx = windows.shape[1:3]
    for u in range(wh):
        for v in range(ww):
            out[:, u : u + sy * ny : sy, v : v + sx * nx : sx] += windows[:, :, :, u, v]
    return out


def check_mask(mask, n_samples, height, width):
    """Validate an inpainting mask and return it as ``(n, height, width)`` booleans.

    ``mask`` marks the missing pixels (True, or 1) of every image: one
    ``(height, width)`` mask for all images, one per image ``(n, height,
    width)``, or flat rows ``(n, height * width)``.  A pixel is missing in all
    its channels.

    Returns
    -------
    missing : ndarray of shape (n_samples, height, width), bool
    """
    arr = np.asarray(mask)
    if arr.dtype != np.bool_:
        if arr.dtype.kind not in "iuf" or not np.isin(arr, (0, 1)).all():
            raise ValueError(
                "mask must hold booleans (True = missing pixel) or 0/1 values; got dtype "
                f"{arr.dtype}" + (" with other values." if arr.dtype.kind in "iuf" else ".")
            )
        arr = arr.astype(bool)
    if arr.shape == (height, width):
        return np.broadcast_to(arr, (n_samples, height, width))
    if arr.shape == (n_samples, height * width):
        return arr.reshape(n_samples, height, width)
    if arr.shape == (n_samples, height, width):
        return arr
    raise ValueError(
        f"mask must have shape ({height}, {width}), ({n_samples}, {height}, {width}) or "
        f"({n_samples}, {height * width}) to match X (one value per pixel, True = missing); "
        f"got {arr.shape}."
    )


def known_pixels(X, mask, shape):
    """Images with missing pixels, checked: ``(images, observed)``.

    ``X`` is 2-D, ``(n, H*W*C)`` floats; ``mask`` marks the missing pixels
    (:func:`check_mask`).  The observed pixels must be finite and in the
    pixel range; the missing ones may hold anything (NaN included) and are
    set to 0.

    Returns
    -------
    images : ndarray of shape (n, H, W, C)
    observed : ndarray of shape (n, H, W), bool
    """
    height, width, _ = shape
    observed = ~check_mask(mask, len(X), height, width)
    images = X.reshape((len(X),) + tuple(shape))
    if not np.all(np.isfinite(images[observed])):
        raise ValueError(
            "X contains NaN or infinity at observed pixels; mark those pixels as missing "
            "in mask (True)."
        )
    images = np.where(observed[..., None], images, 0.0)
    check_pixel_range(images)
    return images, observed


def masked_resize(images, observed, side):
    """Downsample images of which only the ``observed`` pixels are known.

    Values are the normalised convolution of the known pixels with the
    package's filter (:func:`resize` of ``x * w`` over :func:`resize` of the
    weights ``w``, 1 at observed pixels), so that a fully observed
    neighbourhood gives exactly ``resize(x)``; where that filtered weight is
    below 1/2, the mean of the block's observed pixels.  ``share`` is the
    fraction of observed pixels in every output pixel's block.

    Parameters
    ----------
    images : ndarray of shape (n, h, w, C)
    observed : ndarray of shape (n, h, w), bool
    side : int
        Output side; ``h`` and ``w`` must be ``side`` times a power of two.

    Returns
    -------
    values : ndarray of shape (n, side, side, C)
    share : ndarray of shape (n, side, side)
    """
    n, h, w, _ = images.shape
    weight = observed[..., None].astype(np.float64)
    known = np.where(weight > 0, images, 0.0)
    if h == side and w == side:
        return known, weight[..., 0]
    share = weight[..., 0].reshape(n, side, h // side, side, w // side).mean(axis=(2, 4))
    den = resize(weight, side)
    # where the filter sees less than half a pixel's worth of observed
    # weight, its ratio is unstable: the plain mean of the block's observed
    # pixels instead (a convex combination, it never leaves their range)
    block = resize(known, side, "area") / np.maximum(share, 1e-12)[..., None]
    values = np.where(den >= 0.5, resize(known, side) / np.maximum(den, 0.5), block)
    return values, share
