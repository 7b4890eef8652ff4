"""Image grids as PNG files (OpenCV only, no matplotlib)."""

from pathlib import Path

import cv2
import numpy as np


def image_grid(images, n_cols, row_labels=None, scale=4, pad=2):
    """Tile ``(n, h, w[, C])`` float images in [0, 1] into one RGB uint8 array.

    Parameters
    ----------
    images : ndarray
        Images, row by row.
    n_cols : int
        Images per row.
    row_labels : list of str, default=None
        A label written left of each row.
    scale : int, default=4
        Nearest-neighbour magnification, so small images stay readable.
    pad : int, default=2
        Pixels between tiles (at output scale).

    Returns
    -------
    grid : ndarray of shape (H, W, 3), uint8, RGB
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 3:
        images = images[..., None]
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    n, h, w, _ = images.shape
    n_rows = -(-n // n_cols)
    tiles = np.kron(np.clip(images, 0, 1), np.ones((1, scale, scale, 1)))
    th, tw = h * scale, w * scale
    label_w = 0
    if row_labels is not None:
        label_w = 8 + max(
            cv2.getTextSize(str(t), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)[0][0] for t in row_labels
        )
    grid = np.ones((n_rows * (th + pad) + pad, label_w + n_cols * (tw + pad) + pad, 3))
    for i in range(n):
        r, c = divmod(i, n_cols)
        top, left = pad + r * (th + pad), label_w + pad + c * (tw + pad)
        grid[top : top + th, left : left + tw] = tiles[i]
    grid = (grid * 255).round().astype(np.uint8)
    if row_labels is not None:
        for r, text in enumerate(row_labels[:n_rows]):
            y = pad + r * (th + pad) + th // 2 + 5
            cv2.putText(
                grid, str(text), (4, y), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA
            )
    return grid


def save_png(path, rgb):
    """Write an RGB uint8 array as PNG (OpenCV wants BGR)."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise FileNotFoundError(f"Folder {path.parent} does not exist.")
    if not cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        raise OSError(f"Could not write {path} (the name must end in .png).")
    return path
