"""The skpager command, run as a user would (subprocess)."""

import subprocess
import sys

import cv2
import joblib
import numpy as np
import pytest


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


def test_fit_then_sample(tmp_path):
    npz = tmp_path / "tiny.npz"
    rng = np.random.default_rng(0)
    images = (rng.random((60, 16, 16)) * 255).astype(np.uint8)
    np.savez(npz, images=images, labels=np.repeat([0, 1, 2], 20))
    fit = run(
        "fit",
        "--dataset",
        str(npz),
        "--output",
        "m.joblib",
        "--resolution",
        "8",
        "--n-components",
        "2",
        cwd=tmp_path,
    )
    assert fit.returncode == 0, fit.stderr
    sample = run(
        "sample", "m.joblib", "-n", "9", "--label", "2", "--output", "s.png", cwd=tmp_path
    )
    assert sample.returncode == 0, sample.stderr
    assert (tmp_path / "s.png").is_file()
    demo_fit = run(
        "fit",
        "--dataset",
        "demo",
        "--n-train",
        "300",
        "--n-components",
        "2",
        "--output",
        "d.joblib",
        cwd=tmp_path,
    )
    assert demo_fit.returncode == 0, demo_fit.stderr
    assert run("sample", "d.joblib", "--label", "Bag", "-n", "4", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["sample", "missing.joblib"], "does not exist"),
        (["sample", "garbage.joblib"], "cannot read"),
        (["sample", "other.joblib"], "not an skpager model"),
        (["fit", "--dataset", "no-such-thing", "--output", "m.joblib"], "no such dataset"),
        (["fit", "--dataset", "demo", "--output", "m.joblib", "--n-train", "-3"], "positive"),
        (
            ["fit", "--dataset", "demo", "--output", "m.joblib", "--resolution", "64"],
            "larger than",
        ),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_user_mistakes_give_one_line_and_nonzero_exit(tmp_path, args, message):
    (tmp_path / "garbage.joblib").write_bytes(b"not a model")
    joblib.dump({"model": "something else"}, tmp_path / "other.joblib")
    out = run(*args, cwd=tmp_path)
    assert out.returncode != 0
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_unknown_label_and_missing_dataset(tmp_path, monkeypatch):
    run(
        "fit",
        "--dataset",
        "demo",
        "--n-train",
        "200",
        "--n-components",
        "1",
        "--output",
        "d.joblib",
        cwd=tmp_path,
    )
    out = run("sample", "d.joblib", "--label", "Unicorn", cwd=tmp_path)
    assert out.returncode == 2 and "choose one of" in out.stderr
    env_out = subprocess.run(
        [sys.executable, "-m", "skpager", "fit", "--dataset", "mnist", "--output", "x.joblib"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"HOME": str(tmp_path), "PATH": ""},
    )
    assert env_out.returncode == 2 and "never downloads" in env_out.stderr
