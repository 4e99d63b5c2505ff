"""An experiment file for ``minnet doctor examples/doctor_experiment.py``.

A small CNN on MNIST-1D, trained by a hand-written loop. The loop has a
classic bug: it never calls ``optimizer.zero_grad()``. Run the doctor on it,
read the report, fix the loop (uncomment the line) and run it again.
"""

import minnet as mn


def train(model, loss_fn, optimizer, X, y):
    """Your own training loop; the doctor runs it under mn.watch()."""
    for _ in range(3):
        for X_batch, y_batch in mn.data.DataLoader(X, y, batch_size=100):
            # optimizer.zero_grad()   # <- the missing line
            loss_fn(model(X_batch), y_batch)
            model.backward(loss_fn.backward())
            optimizer.step()


def experiment():
    X, y, X_test, y_test = mn.data.mnist1d()
    model = mn.Sequential(
        mn.Reshape(1, 40),
        mn.Conv1d(1, 16, 5, stride=2, padding=1, rng=0), mn.ReLU(),
        mn.Conv1d(16, 16, 3, stride=2, padding=1, rng=1), mn.ReLU(),
        mn.Flatten(),
        mn.Linear(16 * 10, 10, rng=2),
    )
    return {
        "model": model,
        "loss_fn": mn.CrossEntropyLoss(),
        "optimizer": mn.optim.Adam(model.parameters(), lr=1e-3),
        "X": X, "y": y, "X_val": X_test, "y_val": y_test,
        "train": train,
    }
