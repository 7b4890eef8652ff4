"""Image grids as PNG files (OpenCV only, no matplotlib)."""

from pathlib import Path

import cv2
import numpy as np


def image_grid(images, n_cols, row_labels=None, scale=4, pad=2):
    """Tile ``(n, h, w[, C])`` images into one RGB uint8 array.

    Parameters
    ----------
    images : ndarray
        Images, row by row: floats in [0, 1] or uint8 in [0, 255].
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
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    # uint8 from the start: one byte per output pixel, whatever n is
    if images.dtype != np.uint8:
        images = np.rint(np.clip(images, 0, 1) * 255).astype(np.uint8)
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    n, h, w, _ = images.shape
    n_rows = -(-n // n_cols)
    th, tw = h * scale, w * scale
    label_w = 0
    if row_labels is not None:
        label_w = 8 + max(
            cv2.getTextSize(str(t), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)[0][0] for t in row_labels
        )
    # cells of (pad + tile) rows and columns, white where no image falls
    cells = np.full((n_rows, pad + th, n_cols, pad + tw, 3), 255, dtype=np.uint8)
    tiles = np.full((n_rows * n_cols, h, w, 3), 255, dtype=np.uint8)
    tiles[:n] = images
    tiles = tiles.reshape(n_rows, n_cols, h, 1, w, 1, 3)
    tiles = np.broadcast_to(tiles, (n_rows, n_cols, h, scale, w, scale, 3))
    cells[:, pad:, :, pad:] = tiles.reshape(n_rows, n_cols, th, tw, 3).transpose(0, 2, 1, 3, 4)
    body = cells.reshape(n_rows * (pad + th), n_cols * (pad + tw), 3)
    grid = np.full((body.shape[0] + pad, label_w + body.shape[1] + pad, 3), 255, dtype=np.uint8)
    grid[: body.shape[0], label_w : label_w + body.shape[1]] = body
    if row_labels is not None:
        for r, text in enumerate(row_labels[:n_rows]):
            y = pad + r * (th + pad) + th // 2 + 5
            cv2.putText(
                grid, str(text), (4, y), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA
            )
    return grid


def check_png_path(path):
    """``path`` as a Path, if a PNG file can be written there: a name ending in
    ``.png`` in an existing folder, not a folder itself; else a ValueError."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a file name ending in .png.")
    if path.suffix.lower() != ".png":
        raise ValueError(f"{path}: images are written as PNG; the name must end in .png.")
    if not path.parent.is_dir():
        raise ValueError(f"{path}: folder {path.parent} does not exist.")
    return path


def save_png(path, rgb):
    """Write an RGB uint8 array as PNG (OpenCV wants BGR)."""
    path = check_png_path(path)
    if not cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        raise OSError(f"Could not write {path} (the name must end in .png).")
    return path
