"""The catalog's records of a setup that cannot run: one-hot targets, errors raised by it.

Before training, like ``before_training`` (which appends ``SETUP`` to its
list); kept apart so that each file stays short.
"""

from minnet.diagnostics.catalog.entry import CatalogEntry
from minnet.diagnostics.catalog.sources import KARPATHY

SETUP = [
    CatalogEntry(
        code="one-hot-targets", severity="error", kind="data",
        title="One-hot targets given to a loss that takes class indices",
        signal="Targets of shape (N, C) with a single 1 per row (one-hot) given to "
               "CrossEntropyLoss or NLLLoss, which take class indices of shape (N,): integer or "
               "boolean rows, any one-hot rows for NLLLoss, or rows of another width than the "
               "model's output.",
        threshold="Structural: y has 2 dimensions, at least 2 columns, every value 0 or 1 and "
                  "every row summing to 1; float rows as wide as the output are class "
                  "probabilities, which CrossEntropyLoss takes, and stay silent.",
        explanation="CrossEntropyLoss reads the target as the index of the correct class, one "
                    "integer per sample. A one-hot matrix holds the same information in another "
                    "shape, so the loss cannot line it up with the logits and stops at its first "
                    "call with a ShapeError (NLLLoss takes no probabilities at all).",
        fix="Pass class indices: y = y_onehot.argmax(axis=1), then loss_fn(model(X), y); keep "
            "the one-hot form only for CrossEntropyLoss's probability targets, as floats: "
            "y_onehot.astype(np.float64).",
        source="PyTorch documentation, torch.nn.CrossEntropyLoss (target: class indices or "
               "class probabilities)",
    ),
    CatalogEntry(
        code="setup-error", severity="error", kind="sanity",
        title="The model, loss or data raised an error",
        signal="An error raised by the user's model, loss or data while the doctor ran a stage "
               "(lint, data checks, sanity routines, monitored run): every minnet error "
               "(ShapeError, DataError, ConfigError, ...) and any exception raised in the "
               "user's own code (a custom layer); the stage and the error are named and the "
               "other stages still run.",
        threshold="Structural: any MinnetError, or an exception whose innermost frame outside "
                  "NumPy and the standard library is in the user's code (an exception raised "
                  "inside minnet's own code by anything but a MinnetError is a bug in minnet "
                  "and is raised, not reported).",
        explanation="The training setup cannot run as written: a shape that does not match "
                    "(a Linear expecting 5 features fed 4), targets the loss cannot take, a "
                    "custom layer that fails. The doctor reports the error instead of stopping, "
                    "so that the checks that can still run give their findings too.",
        fix="Read the error message in the evidence and make the named object and the data "
            "agree, e.g. Linear(X.shape[1], hidden) for the first layer, then run "
            "loss_fn(model(X[:2]), y[:2]) by hand until it passes.",
        source=f"{KARPATHY} (\"set up the end-to-end training/evaluation skeleton\")",
    ),
]
