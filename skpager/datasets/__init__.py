"""Dataset loaders: standard formats from local files, plus a bundled demo set.

Nothing downloads: when files are missing, the error says where to put them.
"""

from ._idx import read_idx
from ._loaders import (
    FASHION_MNIST_CLASSES,
    load_celeba,
    load_cifar10,
    load_demo,
    load_fashion_mnist,
    load_image_folder,
    load_mnist,
)

__all__ = [
    "FASHION_MNIST_CLASSES",
    "load_celeba",
    "load_cifar10",
    "load_demo",
    "load_fashion_mnist",
    "load_image_folder",
    "load_mnist",
    "read_idx",
]
