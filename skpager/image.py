"""Image utilities: the resampler, padding and cropping the estimators use, and PNG grids.

Every function takes a batch of images, ``(n, h, w)`` grey or
``(n, h, w, C)`` channel-last, and returns the same layout.
"""

import numpy as np

from . import _grid, _image

__all__ = ["crop_images", "image_grid", "pad_images", "resize", "save_png"]


def _as_batch(images, name="images"):
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"{name} must be a batch of shape (n, h, w) or (n, h, w, C); got shape {images.shape}."
        )
    if images.dtype.kind not in "fiub":
        raise ValueError(f"{name} must hold numbers; got dtype {images.dtype}.")
    return images if images.ndim == 4 else images[..., None], images.ndim == 3


def _on_batch(func, images, *args):
    """Apply a ``(n, h, w, C)`` routine to ``images``, returning grey input as grey."""
    batch, grey = _as_batch(images)
    out = func(batch, *args)
    return out[..., 0] if grey else out


def resize(images, size, interpolation="lanczos"):
    """Resample a batch of images with OpenCV (Lanczos by default).

    The same routine the estimators use to move between resolutions.
    Downsampling by more than 2 proceeds by successive halvings, so every
    Lanczos step sees a factor of at most 2 and does not alias.

    Parameters
    ----------
    images : array-like of shape (n, h, w) or (n, h, w, C)
        Images; integer arrays are converted to float64 unchanged (no
        rescaling).
    size : int or tuple of int
        Output ``(height, width)``; an int means a square.  Height first,
        like numpy shapes (``cv2.resize`` takes width first).
    interpolation : {"lanczos", "cubic", "linear", "area", "nearest"}, default="lanczos"
        The filter.

    Returns
    -------
    resized : ndarray of shape (n, height, width) or (n, height, width, C)
        float32 stays float32; anything else becomes float64.

    Examples
    --------
    >>> import numpy as np
    >>> from skpager.image import resize
    >>> resize(np.zeros((5, 28, 28)), 14).shape
    (5, 14, 14)
    """
    return _on_batch(_image.resize, images, size, interpolation)


def pad_images(images, height, width=None):
    """Zero-pad images symmetrically to ``height x width``.

    Parameters
    ----------
    images : array-like of shape (n, h, w) or (n, h, w, C)
        Images no larger than the target.
    height : int
        Output height.
    width : int, default=None
        Output width; None means ``height``.

    Returns
    -------
    padded : ndarray of shape (n, height, width) or (n, height, width, C)
        Same dtype as ``images``; :func:`crop_images` undoes it.

    Examples
    --------
    >>> import numpy as np
    >>> from skpager.image import pad_images
    >>> pad_images(np.ones((2, 28, 28)), 32).shape
    (2, 32, 32)
    """
    return _on_batch(_image.pad_images, images, height, height if width is None else width)


def crop_images(images, height, width=None):
    """Crop the centre ``height x width`` of each image.

    Parameters
    ----------
    images : array-like of shape (n, h, w) or (n, h, w, C)
        Images no smaller than the target.
    height : int
        Output height.
    width : int, default=None
        Output width; None means ``height``.

    Returns
    -------
    cropped : ndarray of shape (n, height, width) or (n, height, width, C)
        A copy, same dtype as ``images``.
    """
    return _on_batch(_image.crop_images, images, height, height if width is None else width).copy()


def image_grid(images, n_cols, row_labels=None, scale=4, pad=2):
    """Tile images into one RGB picture, optionally with a label left of each row.

    Parameters
    ----------
    images : array-like of shape (n, h, w) or (n, h, w, C)
        Float images in [0, 1] (values outside are clipped) or uint8 images
        in [0, 255], row by row.
    n_cols : int
        Images per row.
    row_labels : list of str, default=None
        Labels, one per row.
    scale : int, default=4
        Nearest-neighbour magnification, so small images stay readable.
    pad : int, default=2
        Pixels between tiles, at output scale.

    Returns
    -------
    grid : ndarray of shape (H, W, 3), dtype uint8
        RGB; show it with matplotlib's ``imshow`` or write it with
        :func:`save_png`.
    """
    _as_batch(images)
    return _grid.image_grid(images, n_cols, row_labels=row_labels, scale=scale, pad=pad)


def save_png(path, rgb):
    """Write an RGB uint8 array (e.g. from :func:`image_grid`) as a PNG file.

    Parameters
    ----------
    path : str or path-like
        File name ending in ``.png``; its folder must exist.
    rgb : ndarray of shape (H, W, 3), dtype uint8
        The picture.

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(
            f"rgb must be a uint8 array of shape (H, W, 3); got {rgb.dtype} {rgb.shape}."
        )
    return _grid.save_png(path, rgb)
