"""Dataset loaders: IDX on files written here, shared data when present."""

import gzip
from pathlib import Path

import cv2
import numpy as np
import pytest

from skpager.datasets import (
    load_celeba,
    load_cifar10,
    load_demo,
    load_fashion_mnist,
    load_image_folder,
    load_mnist,
    read_idx,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
needs_cifar = pytest.mark.skipif(
    not (SHARED / "cifar-10-batches-py").is_dir(), reason="../shared/data/cifar-10 not present"
)
needs_celeba = pytest.mark.skipif(
    not (SHARED / "celeba_sample").is_dir(), reason="../shared/data/celeba_sample not present"
)
needs_fashion = pytest.mark.skipif(
    not Path("/usr/share/datasets/fashion-mnist").is_dir(),
    reason="Debian package dataset-fashion-mnist not installed",
)


def _write_idx(path, array, compress=False):
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    payload = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(payload) if compress else payload)


@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip_and_mnist_layout(tmp_path, compress):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=7, dtype=np.uint8)
    suffix = ".gz" if compress else ""
    _write_idx(tmp_path / f"t10k-images-idx3-ubyte{suffix}", images, compress)
    _write_idx(tmp_path / f"t10k-labels-idx1-ubyte{suffix}", labels, compress)
    np.testing.assert_array_equal(read_idx(tmp_path / f"t10k-images-idx3-ubyte{suffix}"), images)
    bunch = load_mnist(path=tmp_path, kind="test")
    assert bunch.images.shape == (7, 28, 28, 1) and bunch.data.shape == (7, 784)
    np.testing.assert_allclose(bunch.images[..., 0], images / 255.0)
    np.testing.assert_array_equal(bunch.target, labels)


def test_idx_errors(tmp_path):
    bad_magic = tmp_path / "bad"
    bad_magic.write_bytes(b"\x12\x34\x08\x01" + b"\x00" * 8)
    with pytest.raises(ValueError, match="bad magic number"):
        read_idx(bad_magic)
    truncated = tmp_path / "trunc"
    _write_idx(truncated, np.zeros((4, 3, 3), dtype=np.uint8))
    truncated.write_bytes(truncated.read_bytes()[:-5])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(truncated)
    short_header = tmp_path / "short"
    short_header.write_bytes(b"\x00\x00\x08\x03\x00")
    with pytest.raises(ValueError, match="truncated"):
        read_idx(short_header)


def test_missing_files_say_where_and_how(tmp_path, monkeypatch):
    monkeypatch.setenv("SKPAGER_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="never downloads"):
        load_mnist()
    with pytest.raises(FileNotFoundError, match="dataset-fashion-mnist"):
        load_fashion_mnist(path=tmp_path)
    with pytest.raises(FileNotFoundError, match="cifar-10-batches-py"):
        load_cifar10(tmp_path)
    with pytest.raises(FileNotFoundError, match="img_align_celeba"):
        load_celeba(tmp_path)
    with pytest.raises(ValueError, match="kind"):
        load_demo("validation")


def test_env_var_search_path(tmp_path, monkeypatch):
    folder = tmp_path / "mnist"
    folder.mkdir()
    _write_idx(folder / "train-images-idx3-ubyte", np.zeros((2, 28, 28), dtype=np.uint8))
    _write_idx(folder / "train-labels-idx1-ubyte", np.array([3, 4], dtype=np.uint8))
    monkeypatch.setenv("SKPAGER_DATA", str(tmp_path))
    assert load_mnist().target.tolist() == [3, 4]


def test_bundled_demo():
    train, test = load_demo(), load_demo("test")
    assert train.images.shape == (5000, 28, 28, 1) and test.images.shape == (1000, 28, 28, 1)
    assert np.bincount(train.target).tolist() == [500] * 10
    assert train.images.dtype == np.float64 and 0 <= train.images.min() < train.images.max() <= 1
    assert train.target_names[8] == "Bag"


@needs_fashion
def test_fashion_mnist_from_debian_package():
    test = load_fashion_mnist(kind="test")
    assert test.images.shape == (10000, 28, 28, 1)
    # the bundled subset is the first 100 test images of each class
    first_bags = test.images[np.flatnonzero(test.target == 8)[:100]]
    demo = load_demo("test")
    np.testing.assert_array_equal(demo.images[demo.target == 8], first_bags)
    assert np.bincount(test.target).tolist() == [1000] * 10


@needs_cifar
def test_cifar10_layout_and_channel_order():
    train = load_cifar10(SHARED / "cifar-10-batches-py")
    test = load_cifar10(SHARED / "cifar-10-batches-py", kind="test")
    assert train.images.shape == (30000, 32, 32, 3) and test.images.shape == (1000, 32, 32, 3)
    assert train.target_names[0] == "airplane"
    # published per-channel means: R 0.4914, G 0.4822, B 0.4465 (RGB order, not BGR)
    np.testing.assert_allclose(
        train.images.mean(axis=(0, 1, 2)), [0.4914, 0.4822, 0.4465], atol=0.005
    )


@needs_celeba
def test_celeba_sample():
    faces = load_celeba(SHARED / "celeba_sample", image_size=32)
    assert faces.images.shape == (32, 32, 32, 3)
    assert faces.attributes.shape == (32, 40) and set(np.unique(faces.attributes)) == {-1, 1}
    assert faces.attribute_names[20] == "Male"
    assert 0 <= faces.images.min() and faces.images.max() <= 1
    # skin tones: red above blue on average, so the channels are RGB
    assert faces.images[..., 0].mean() > faces.images[..., 2].mean()


class _Payload:
    """Unpickling this with plain pickle would create the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _write_batch(path, obj):
    import pickle

    with open(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=2)


@pytest.mark.parametrize("where", ["data_batch_1", "batches.meta"])
def test_cifar_payload_never_runs(tmp_path, where):
    marker = tmp_path / "pwned"
    good = {b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 1]}
    _write_batch(tmp_path / "data_batch_1", good)
    _write_batch(tmp_path / "batches.meta", {b"label_names": [b"a"] * 10})
    payload = {b"data": _Payload(marker), b"labels": [0, 1]}
    if where == "batches.meta":
        payload = {b"label_names": _Payload(marker)}
    _write_batch(tmp_path / where, payload)
    with pytest.raises(ValueError, match="never runs code"):
        load_cifar10(tmp_path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "batch, match",
    [
        ([1, 2, 3], "expected a dict"),
        ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0]}, "2 images but 1 labels"),
        ({b"data": np.zeros((2, 3072), np.int64), b"labels": [0, 1]}, "uint8"),
        ({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]}, "not 3072"),
        ({b"data": np.zeros((2, 3072), np.uint8), b"labels": [0, 11]}, "integers 0-9"),
        ({b"data": np.zeros((2, 3072), object), b"labels": [0, 1]}, "never runs code"),
    ],
)
def test_cifar_bad_batches(tmp_path, batch, match):
    _write_batch(tmp_path / "data_batch_1", batch)
    with pytest.raises(ValueError, match=match):
        load_cifar10(tmp_path)


def test_cifar_truncated_or_junk_batch(tmp_path):
    _write_batch(tmp_path / "data_batch_1", {b"data": np.zeros((2, 3072), np.uint8)})
    raw = (tmp_path / "data_batch_1").read_bytes()
    (tmp_path / "data_batch_1").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="not a CIFAR-10 python batch"):
        load_cifar10(tmp_path)
    (tmp_path / "data_batch_1").write_bytes(b"junk, not a pickle")
    with pytest.raises(ValueError, match="not a CIFAR-10 python batch"):
        load_cifar10(tmp_path)


def test_idx_header_declaring_billions_of_items(tmp_path):
    huge = tmp_path / "huge"
    huge.write_bytes(bytes([0, 0, 8, 3]) + np.array([3, 2**31, 1], dtype=">u4").tobytes() + b"0")
    with pytest.raises(ValueError, match=r"shape \(3, 2147483648, 1\)"):
        read_idx(huge)


@pytest.mark.parametrize(
    "images, labels, match",
    [
        (np.zeros((5, 4, 4)), np.zeros(4), "holds 5 images but"),
        (np.zeros((5, 16)), np.zeros(5), r"shape \(n, height, width\)"),
        (np.zeros((5, 4, 4)), np.full(5, 12), "integer label 0-9"),
        (np.zeros((5, 4, 4)), np.zeros((5, 1)), "integer label 0-9"),
    ],
)
def test_mnist_pair_must_agree(tmp_path, images, labels, match):
    _write_idx(tmp_path / "train-images-idx3-ubyte", images)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    with pytest.raises(ValueError, match=match):
        load_mnist(path=tmp_path)


def _write_faces(folder, sizes):
    """JPEG faces with a white centre square on black, one per size (h, w)."""
    import cv2

    (folder / "img_align_celeba").mkdir(parents=True)
    names = []
    for i, (h, w) in enumerate(sizes):
        face = np.zeros((h, w, 3), dtype=np.uint8)
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        q = side // 4
        face[top + q : top + side - q, left + q : left + side - q] = 255
        names.append(f"{i:06d}.jpg")
        cv2.imwrite(str(folder / "img_align_celeba" / names[-1]), face)
    return names


def test_celeba_crops_each_face_at_its_centre(tmp_path):
    _write_faces(tmp_path, [(218, 178), (120, 100), (218, 178)])
    faces = load_celeba(tmp_path, image_size=16, attributes=False).images
    for face in faces:  # every face: white centre, black border, whatever its size
        assert face[6:10, 6:10].mean() > 0.9
        assert face[:2].mean() < 0.1 and face[:, :2].mean() < 0.1
        assert face[-2:].mean() < 0.1 and face[:, -2:].mean() < 0.1


@pytest.mark.parametrize(
    "text, match",
    [
        ("1\n", "count line, a line of attribute names"),
        ("1\nSmiling Young\n000000.jpg 1\n", "line 3: expected a file name and 2 values"),
        ("1\nSmiling Young\n000000.jpg 1 yes\n", "line 3"),
        ("1\nSmiling Young\n000001.jpg 1 -1\n", "no attribute row"),
    ],
)
def test_celeba_attribute_file_errors(tmp_path, text, match):
    _write_faces(tmp_path, [(20, 16)])
    (tmp_path / "list_attr_celeba.txt").write_text(text)
    with pytest.raises(ValueError, match=match):
        load_celeba(tmp_path, image_size=8)


@pytest.mark.parametrize("size", [0, -3, 2.5, True])
def test_celeba_image_size_must_be_positive(tmp_path, size):
    _write_faces(tmp_path, [(20, 16)])
    with pytest.raises(ValueError, match="image_size must be a positive integer"):
        load_celeba(tmp_path, image_size=size, attributes=False)


def _write_pngs(folder, images):
    folder.mkdir(parents=True, exist_ok=True)
    for i, image in enumerate(images):
        assert cv2.imwrite(str(folder / f"{i:03d}.png"), image)


def test_image_folder_classes_from_sub_folders(tmp_path):
    rng = np.random.default_rng(0)
    grey = (rng.random((5, 12, 12)) * 255).astype(np.uint8)
    _write_pngs(tmp_path / "b_second", grey[3:])
    _write_pngs(tmp_path / "a_first", grey[:3])
    (tmp_path / "notes.txt").write_text("not an image, not a class folder")
    (tmp_path / "empty").mkdir()
    data = load_image_folder(tmp_path)
    assert data.target_names == ["a_first", "b_second"]
    assert data.target.tolist() == [0, 0, 0, 1, 1]
    assert data.images.shape == (5, 12, 12, 1)  # grey files read grey
    np.testing.assert_array_equal(np.round(data.images[..., 0] * 255), grey)  # exact at own size
    assert data.data.shape == (5, 144)
    assert data.filenames[0] == str(Path("a_first") / "000.png")


def test_image_folder_flat_colour_and_resampling(tmp_path):
    rng = np.random.default_rng(1)
    colour = (rng.random((2, 10, 14, 3)) * 255).astype(np.uint8)
    _write_pngs(tmp_path, colour)
    # not square: refused without image_size, centre-cropped and resampled with it
    with pytest.raises(ValueError, match="pass image_size"):
        load_image_folder(tmp_path)
    data = load_image_folder(tmp_path, image_size=10)
    assert data.target is None and data.target_names is None
    assert data.images.shape == (2, 10, 10, 3)
    bgr = colour[0, :, 2:12]  # the centred 10x10 square, at its own size: exact
    np.testing.assert_array_equal(np.round(data.images[0] * 255), bgr[..., ::-1])
    assert load_image_folder(tmp_path, image_size=10, colour=False).images.shape[-1] == 1
    assert load_image_folder(tmp_path, image_size=4).images.shape == (2, 4, 4, 3)


def test_image_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        load_image_folder(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="No image files"):
        load_image_folder(tmp_path)
    _write_pngs(tmp_path, np.zeros((1, 8, 8), np.uint8))
    _write_pngs(tmp_path / "cls", np.zeros((1, 8, 8), np.uint8))
    with pytest.raises(ValueError, match="both image files and class folders"):
        load_image_folder(tmp_path)
    (tmp_path / "cls" / "000.png").unlink()
    (tmp_path / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="Cannot decode"):
        load_image_folder(tmp_path)
    (tmp_path / "broken.png").unlink()
    _write_pngs(tmp_path / "sub", np.zeros((1, 6, 6), np.uint8))
    (tmp_path / "000.png").unlink()
    _write_pngs(tmp_path / "other", np.zeros((1, 8, 8), np.uint8))
    with pytest.raises(ValueError, match="one size"):  # class folders of 6x6 and 8x8 images
        load_image_folder(tmp_path)
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="image_size"):
            load_image_folder(tmp_path, image_size=bad)
    with pytest.raises(ValueError, match="colour must be"):
        load_image_folder(tmp_path, colour="grey")
