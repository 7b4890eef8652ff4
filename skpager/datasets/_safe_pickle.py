"""A restricted unpickler for the CIFAR-10 python batches.

The official CIFAR-10 files are pickles, and ``pickle.load`` runs whatever
code a crafted file names.  This unpickler builds only what the format
holds: dicts, lists, bytes, str and ints (pickle's own opcodes), numpy arrays
and dtypes of plain (non-object) types, and latin-1 byte strings as Python
2 pickles encode them.  Any other global a file names is refused with a
ValueError before anything is called.
"""

import codecs
import io
import pickle

import numpy as np


def _dtype(*args, **kwargs):
    dtype = np.dtype(*args, **kwargs)
    if dtype.hasobject:
        raise pickle.UnpicklingError("object arrays are not part of the format")
    return dtype


def _reconstruct(subtype, shape, dtype):
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError("only plain numpy arrays are part of the format")
    return np.ndarray.__new__(np.ndarray, shape, _dtype(dtype))


def _encode(obj, encoding="utf-8", errors="strict"):
    if encoding not in ("latin1", "latin-1") or not isinstance(obj, str):
        raise pickle.UnpicklingError("only latin-1 byte strings are part of the format")
    return codecs.encode(obj, encoding, errors)


_ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _dtype,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("_codecs", "encode"): _encode,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"{module}.{name} is not part of the CIFAR-10 format"
            ) from None


def load_restricted(path):
    """Unpickle ``path`` with only the types of the CIFAR-10 batches.

    Parameters
    ----------
    path : Path

    Returns
    -------
    obj : object
        What the file holds (dicts, lists, bytes, str, ints, numpy arrays).

    Raises
    ------
    ValueError
        When the file names anything else, or is not a readable pickle.
    """
    try:
        with open(path, "rb") as fh:
            return _RestrictedUnpickler(io.BytesIO(fh.read()), encoding="bytes").load()
    except (
        pickle.UnpicklingError,
        EOFError,
        TypeError,
        ValueError,
        IndexError,
        AttributeError,
        KeyError,
        OverflowError,
        MemoryError,
    ) as exc:
        raise ValueError(
            f"{path} is not a CIFAR-10 python batch ({type(exc).__name__}: {exc}); "
            "skpager reads only the official format and never runs code from a data file."
        ) from None
