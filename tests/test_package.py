"""The front door: import cost, the public API's names, the command line."""

import subprocess
import sys

import pytest

import minnet as mn
from minnet.cli import main

# The public API's top-level names: students' code and the README use them, so none may go.
TOP_LEVEL = [
    "Parameter", "Module", "Sequential", "seed", "MinnetError", "ShapeError", "ConfigError",
    "GradcheckError", "Linear", "Flatten", "Residual", "ReLU", "LeakyReLU", "Sigmoid", "Tanh",
    "ELU", "GELU", "Softmax", "CrossEntropyLoss", "BCEWithLogitsLoss", "MSELoss",
    "RegularizedLoss", "gradcheck", "check_layer", "fit", "History", "evaluate", "predict",
    "save", "load", "optim", "data", "init", "functional", "testing",
    "Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d",
    "LayerNorm", "Dropout", "weight_norm", "Embedding", "RNN", "LSTM", "GRU",
    "set_backend", "get_backend",
    "doctor", "watch", "DoctorCallback", "Finding", "Report",
    "no_grad", "enable_grad", "is_grad_enabled",
]
OPTIM = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "StepLR", "ExponentialLR",
         "CosineAnnealingLR", "LinearWarmup", "ReduceLROnPlateau", "clip_grad_norm_",
         "clip_grad_value_", "MultiStepLR", "LambdaLR", "OneCycleLR",
         "CosineAnnealingWarmRestarts"]
DATA = ["DataLoader", "train_val_split", "Standardizer", "mnist1d", "spiral", "xor",
        "adding_problem", "toy_phrases"]


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_name_exists(name):
    assert hasattr(mn, name), f"minnet.{name} is part of the public API"


@pytest.mark.parametrize("name", OPTIM)
def test_optim_name_exists(name):
    assert hasattr(mn.optim, name)


@pytest.mark.parametrize("name", DATA)
def test_data_name_exists(name):
    assert hasattr(mn.data, name)


def test_import_minnet_loads_neither_matplotlib_nor_numba_nor_torch():
    code = ("import sys, minnet; "
            "print(sorted(m for m in ('matplotlib', 'numba', 'torch', 'tqdm') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]", f"import minnet imported {out}"


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"minnet {mn.__version__}"


def test_python_dash_m_minnet_runs():
    result = subprocess.run([sys.executable, "-m", "minnet", "--version"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and mn.__version__ in result.stdout


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "demo" in capsys.readouterr().out


def test_demo_rejects_nonpositive_steps(capsys):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--steps", "0"])
    assert info.value.code == 2
    assert "--steps must be >= 1, got 0" in capsys.readouterr().err
