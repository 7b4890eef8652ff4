"""Reader for the IDX format of MNIST and Fashion-MNIST (raw or gzip)."""

import gzip
import math
from pathlib import Path

import numpy as np

__all__ = ["read_idx"]

# IDX type codes (third byte of the magic number) -> numpy big-endian dtype
_IDX_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path):
    """Read an IDX file (as used by MNIST), gzip-compressed or raw.

    Parameters
    ----------
    path : str or Path
        The file; a name ending in ``.gz`` is decompressed.

    Returns
    -------
    ndarray
        The array with the shape stored in the header.

    Raises
    ------
    ValueError
        When the magic number is wrong or the file is shorter than its header says.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(
            f"{path} is not an IDX file: bad magic number {raw[:4].hex() or '(empty)'}; "
            "expected 0x0000 followed by a type code and the number of dimensions."
        )
    dtype, ndim = _IDX_TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path} is truncated: its header needs {header} bytes.")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = math.prod(shape) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(
            f"{path} is truncated or corrupt: header says shape {shape} ({expected} bytes of "
            f"data), the file holds {len(raw) - header} bytes."
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="), copy=True)
