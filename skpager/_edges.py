"""Canny edge masks for a batch of images, in one OpenCV call, image by image."""

import cv2
import numpy as np

_LUMA = np.array([0.299, 0.587, 0.114])


def check_canny_thresholds(thresholds, name="canny_thresholds"):
    """``(low, high)`` as floats: two finite numbers with ``0 <= low <= high``."""
    values = np.asarray(thresholds, dtype=object).ravel() if thresholds is not None else []
    ok = len(values) == 2 and all(
        isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
        for v in values
    )
    if ok:
        low, high = float(values[0]), float(values[1])
        ok = np.isfinite(low) and np.isfinite(high) and 0 <= low <= high
    if not ok:
        raise ValueError(
            f"{name} must be two finite numbers (low, high) with 0 <= low <= high (Canny's "
            f"hysteresis thresholds on the 0-255 scale); got {thresholds!r}."
        )
    return low, high


def edge_mask(images, thresholds=(50, 150), dilation=1):
    """Binary mask of the Canny edges of ``(n, h, w, C)`` images in [0, 1].

    Colour images are reduced to luma (RGB weights).  Each image's mask
    depends on that image only: the batch is tiled into one tall mosaic, each
    tile framed by ``1 + dilation`` replicated border pixels; the Sobel
    derivatives are taken on the mosaic (a 3x3 filter reads only its own
    tile's frame) and then set to zero on the frames, so that Canny's
    hysteresis, which follows chains of pixels above the low threshold,
    cannot cross from one tile to the next, nor can the dilation.  OpenCV
    runs the Sobel filter, Canny and the dilation once each, in C.

    Parameters
    ----------
    images : ndarray of shape (n, h, w, C)
    thresholds : tuple of float
        Canny's low and high hysteresis thresholds, on the 0-255 scale.
    dilation : int
        Radius of the square dilation applied to the edges (0: none).

    Returns
    -------
    mask : ndarray of shape (n, h, w, 1), float
        1 on (dilated) edges, 0 elsewhere.
    """
    n, h, w, c = images.shape
    grey = images[..., 0] if c == 1 else images[..., :3] @ _LUMA
    grey = np.clip(np.rint(grey * 255), 0, 255).astype(np.uint8)
    pad = 1 + dilation
    tiles = np.pad(grey, ((0, 0), (pad, pad), (pad, pad)), mode="edge")
    mosaic = tiles.reshape(n * (h + 2 * pad), w + 2 * pad)
    dx = cv2.Sobel(mosaic, cv2.CV_16S, 1, 0, ksize=3, borderType=cv2.BORDER_REPLICATE)
    dy = cv2.Sobel(mosaic, cv2.CV_16S, 0, 1, ksize=3, borderType=cv2.BORDER_REPLICATE)
    frame = np.ones((n, h + 2 * pad, w + 2 * pad), dtype=bool)
    frame[:, pad : pad + h, pad : pad + w] = False
    frame = frame.reshape(mosaic.shape)
    dx[frame] = 0
    dy[frame] = 0
    edges = cv2.Canny(dx, dy, float(thresholds[0]), float(thresholds[1]))
    if dilation > 0:
        kernel = np.ones((2 * dilation + 1, 2 * dilation + 1), np.uint8)
        edges = cv2.dilate(edges, kernel)
    edges = edges.reshape(n, h + 2 * pad, w + 2 * pad)[:, pad : pad + h, pad : pad + w]
    return (edges > 0).astype(images.dtype)[..., None]
