"""The skpager command, run as a user would (subprocess)."""

import subprocess
import sys

import cv2
import numpy as np
import pytest
import skops.io

from skpager import DensityRatioResampler, HistogramMatcher, load_model


def run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "skpager", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_demo_writes_a_labelled_grid(tmp_path):
    out = run("demo", "--output", "grid.png", "--per-class", "4", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "grid.png" in out.stdout
    image = cv2.imread(str(tmp_path / "grid.png"))
    assert image is not None and image.shape[0] > 10 * 16 and image.shape[2] == 3


def fit_small(dataset, *options, cwd):
    """``skpager fit`` of a small model (8x8 core, 2 components) to m.skops."""
    return run(
        "fit",
        "--dataset",
        dataset,
        *options,
        "--output",
        "m.skops",
        "--resolution",
        "8",
        "--n-components",
        "2",
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def demo_model(tmp_path_factory):
    """A model file fitted once by ``skpager fit`` on 300 demo images (8x8 core)."""
    folder = tmp_path_factory.mktemp("demo_model")
    fit = run(
        "fit", "--dataset", "demo", "--n-train", "300", "--n-components", "2",
        "--resolution", "8", "--output", "d.skops", cwd=folder,
    )  # fmt: skip
    assert fit.returncode == 0, fit.stderr
    return folder / "d.skops"


def test_fit_then_sample(tmp_path):
    npz = tmp_path / "tiny.npz"
    rng = np.random.default_rng(0)
    images = (rng.random((60, 16, 16)) * 255).astype(np.uint8)
    np.savez(npz, images=images, labels=np.repeat([0, 1, 2], 20))
    fit = fit_small(str(npz), cwd=tmp_path)
    assert fit.returncode == 0, fit.stderr
    sample = run("sample", "m.skops", "-n", "9", "--label", "2", "--output", "s.png", cwd=tmp_path)
    assert sample.returncode == 0, sample.stderr
    assert (tmp_path / "s.png").is_file()


def test_fit_with_a_resampled_core(tmp_path):
    npz = tmp_path / "tiny.npz"
    rng = np.random.default_rng(1)
    images = (rng.random((60, 16, 16)) * 255).astype(np.uint8)
    np.savez(npz, images=images, labels=np.repeat([0, 1, 2], 20))
    fit = fit_small(str(npz), "--core-candidates", "4", cwd=tmp_path)
    assert fit.returncode == 0, fit.stderr
    core = load_model(tmp_path / "m.skops")["model"].core_
    assert isinstance(core, DensityRatioResampler) and core.n_candidates == 4
    assert core.generator_.resolution == 8
    out = run("sample", "m.skops", "-n", "6", "--output", "s.npy", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert np.load(tmp_path / "s.npy").shape == (6, 16, 16)
    bad = fit_small(str(npz), "--core-candidates", "0", cwd=tmp_path)
    assert bad.returncode != 0 and "positive integer" in bad.stderr


def test_fit_the_refining_recipe(tmp_path):
    npz = tmp_path / "tiny.npz"
    rng = np.random.default_rng(2)
    images = (rng.random((90, 16, 16)) * 255).astype(np.uint8)
    np.savez(npz, images=images, labels=np.repeat([0, 1, 2], 30))
    fit = fit_small(str(npz), "--recipe", "--core-candidates", "3", cwd=tmp_path)
    assert fit.returncode == 0, fit.stderr
    assert "make_refined_pager() over PAGER 8 -> 16" in fit.stdout
    model = load_model(tmp_path / "m.skops")["model"]
    assert isinstance(model, HistogramMatcher)
    core = model.generator_.generator_.core_  # matcher -> refiner -> PAGER -> core
    assert isinstance(core, DensityRatioResampler) and core.n_candidates == 3
    assert core.generator_.resolution == 8 and core.generator_.n_components == 2
    out = run("sample", "m.skops", "-n", "7", "--label", "2", "--output", "s.npy", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "s_labels.npy"), np.full(7, 2))
    expected = model.sample(7, y=np.full(7, 2), random_state=0).reshape(7, 16, 16)
    np.testing.assert_array_equal(
        np.load(tmp_path / "s.npy"), np.rint(np.clip(expected, 0, 1) * 255).astype(np.uint8)
    )


def test_sample_by_label_name(demo_model, tmp_path):
    out = run("sample", str(demo_model), "--label", "Bag", "-n", "4", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "grid.png").is_file()


def test_sample_streams_to_npy_and_folder(demo_model, tmp_path):
    arrays = []
    for batch_size in ("3", "7"):
        out = run(
            "sample", str(demo_model), "-n", "20", "--batch-size", batch_size,
            "--output", f"s{batch_size}.npy", cwd=tmp_path,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert "images/s" in out.stdout and "20/20 images" in out.stderr
        arrays.append(np.load(tmp_path / f"s{batch_size}.npy"))
    # the same images whatever the batch size (to rounding: at most one grey
    # level), one uint8 array of shape (n, H, W)
    assert arrays[0].dtype == np.uint8 and arrays[0].shape == (20, 28, 28)
    assert np.abs(arrays[0].astype(int) - arrays[1]).max() <= 1
    labels = np.load(tmp_path / "s3_labels.npy")
    assert labels.shape == (20,) and set(labels) <= set(range(10))
    # the array holds the model's own samples for those classes and that seed
    model = load_model(demo_model)["model"]
    expected = np.rint(model.sample(20, y=labels, random_state=0).reshape(20, 28, 28) * 255)
    assert np.abs(arrays[0] - expected).max() <= 1
    folder = run(
        "sample", str(demo_model), "-n", "5", "--label", "1", "--output", "pngs", cwd=tmp_path
    )  # fmt: skip
    assert folder.returncode == 0, folder.stderr
    files = sorted(p.name for p in (tmp_path / "pngs").glob("*.png"))
    assert files == ["0.png", "1.png", "2.png", "3.png", "4.png"]
    first = cv2.imread(str(tmp_path / "pngs" / "0.png"), cv2.IMREAD_UNCHANGED)
    assert first.shape == (28, 28)
    assert (
        np.abs(first - np.rint(model.sample(1, y=1, random_state=0)[0, ..., 0] * 255)).max() <= 1
    )
    table = (tmp_path / "pngs" / "labels.csv").read_text().splitlines()
    assert table == ["file,label"] + [f"{k}.png,Trouser" for k in range(5)]
    (tmp_path / "afile").write_text("x")
    bad = run("sample", str(demo_model), "--output", "afile", cwd=tmp_path)
    assert bad.returncode == 2 and "is a file" in bad.stderr
    bad = run("sample", str(demo_model), "--output", "nowhere/x.npy", cwd=tmp_path)
    assert bad.returncode == 2 and "does not exist" in bad.stderr
    bad = run("sample", str(demo_model), "--batch-size", "0", cwd=tmp_path)
    assert bad.returncode == 2 and "positive integer" in bad.stderr


def test_fit_on_a_folder_of_class_folders(tmp_path):
    rng = np.random.default_rng(0)
    for c, name in enumerate(["boots", "shirts"]):
        (tmp_path / "data" / name).mkdir(parents=True)
        for i in range(20):
            image = (rng.random((20, 20)) * 60 + 100 * c).astype(np.uint8)
            cv2.imwrite(str(tmp_path / "data" / name / f"{i}.png"), image)
    fit = fit_small("data", "--image-size", "16", cwd=tmp_path)
    assert fit.returncode == 0, fit.stderr
    assert "loaded 40 images (16, 16, 1)" in fit.stdout and "with labels" in fit.stdout
    sample = run("sample", "m.skops", "-n", "4", "--label", "shirts", cwd=tmp_path)
    assert sample.returncode == 0, sample.stderr
    (tmp_path / "empty").mkdir()
    empty = run("fit", "--dataset", "empty", "--output", "e.skops", cwd=tmp_path)
    assert empty.returncode == 2 and "found no image files" in empty.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["sample", "missing.skops"], "does not exist"),
        (["sample", "garbage.skops"], "cannot read"),
        (["sample", "other.skops"], "not an skpager model"),
        (["sample", "model.joblib"], "neither writes nor reads"),
        (["fit", "--dataset", "demo", "--output", "model.joblib"], "name it *.skops"),
        (["fit", "--dataset", "demo", "--output", "nowhere/m.skops"], "does not exist"),
        (["fit", "--dataset", "no-such-thing", "--output", "m.skops"], "no such dataset"),
        (["fit", "--dataset", "demo", "--output", "m.skops", "--n-train", "-3"], "positive"),
        (
            ["fit", "--dataset", "demo", "--output", "m.skops", "--resolution", "64"],
            "larger than",
        ),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_user_mistakes_give_one_line_and_nonzero_exit(tmp_path, args, message):
    (tmp_path / "garbage.skops").write_bytes(b"not a model")
    skops.io.dump({"model": "something else"}, tmp_path / "other.skops")
    out = run(*args, cwd=tmp_path)
    assert out.returncode != 0
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_unknown_label_and_missing_dataset(demo_model, tmp_path, monkeypatch):
    out = run("sample", str(demo_model), "--label", "Unicorn", cwd=tmp_path)
    assert out.returncode == 2 and "choose one of" in out.stderr
    env_out = subprocess.run(
        [sys.executable, "-m", "skpager", "fit", "--dataset", "mnist", "--output", "x.skops"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"HOME": str(tmp_path), "PATH": ""},
    )
    assert env_out.returncode == 2 and "never downloads" in env_out.stderr


class _Payload:
    """Loading this with pickle or an unrestricted loader would create the marker."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_model_file_with_untrusted_type_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    skops.io.dump({"model": _Payload(marker)}, tmp_path / "evil.skops")
    assert not marker.exists()
    out = run("sample", "evil.skops", cwd=tmp_path)
    assert out.returncode == 2 and "does not trust" in out.stderr
    assert "Traceback" not in out.stderr
    assert not marker.exists()
    # a pickle renamed to .skops is not read as a pickle
    import pickle

    (tmp_path / "pickled.skops").write_bytes(pickle.dumps({"model": _Payload(marker)}))
    out = run("sample", "pickled.skops", cwd=tmp_path)
    assert out.returncode == 2 and "cannot read" in out.stderr
    assert not marker.exists()


def test_trusted_types_cover_every_default_model():
    from skpager import PAGER, GMMCoreGenerator
    from skpager._persist import TRUSTED_TYPES
    from skpager.datasets import load_demo
    from skpager.image import resize

    grey = resize(load_demo().images[:80], 8)
    colour = np.concatenate([grey, grey, grey], axis=3)
    for images in (grey, colour):
        model = PAGER(GMMCoreGenerator(n_components=1, resolution=4), random_state=0).fit(images)
        dumped = skops.io.dumps(model)
        assert set(skops.io.get_untrusted_types(data=dumped)) <= set(TRUSTED_TYPES)
        loaded = skops.io.loads(dumped, trusted=TRUSTED_TYPES)
        np.testing.assert_array_equal(loaded.sample(3), model.sample(3))


@pytest.mark.parametrize(
    "args, message",
    [
        (["demo", "--output", "grid.jpg"], "must end in .png"),
        (["demo", "--output", "grid"], "must end in .png"),
        (["demo", "--output", "."], "is a folder"),
        (["demo", "--output", "nowhere/grid.png"], "does not exist"),
        (["sample", "missing.skops", "--output", "grid.jpg"], "must end in .png"),
        (["fit", "--dataset", "noimages.npz", "--output", "m.skops"], "needs the images"),
        (["fit", "--dataset", "objects.npy", "--output", "m.skops"], "not a readable numpy"),
        (["fit", "--dataset", "wide.npz", "--output", "m.skops"], "one value per image"),
        (["fit", "--dataset", "floats255.npy", "--output", "m.skops"], "Divide 0..255"),
    ],
)
def test_output_and_dataset_files_checked_first(tmp_path, args, message):
    np.savez(tmp_path / "noimages.npz", pictures=np.zeros((4, 8, 8)))
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.savez(tmp_path / "wide.npz", images=np.zeros((4, 8, 8)), labels=np.zeros(3))
    np.save(tmp_path / "floats255.npy", np.full((20, 8, 8), 200.0))
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert "fitted" not in out.stdout and "wrote" not in out.stdout
