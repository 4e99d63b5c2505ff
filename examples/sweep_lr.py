"""A sweep's training function: a small MLP on CS231n's spirals, for `minnet sweep`.

    minnet sweep examples/sweep_lr.py --grid lr=0.001,0.01,0.1 --seeds 0-4 \
        --scheduler local --plot sweep.png

``train(params, seed)`` builds the model from the seed, trains it with SGD at
``params["lr"]`` (and ``params.get("batch_size", 32)``) and returns the final
validation loss and accuracy. The data are the same for every trial (seed 0);
the seed moves the initialization and the order of the batches. A trial takes
a fraction of a second.
"""

import minnet as mn

EPOCHS = 8


def train(params, seed):
    X, y = mn.data.spiral(n_per_class=60, n_classes=3, rng=0)
    X_train, X_val, y_train, y_val = mn.data.train_val_split(X, y, val_fraction=0.25, rng=0)
    mn.seed(seed)  # the layers' initialization draws from minnet's default generator
    model = mn.Sequential(mn.Linear(2, 32), mn.ReLU(), mn.Linear(32, 3))
    loss_fn = mn.CrossEntropyLoss()
    optimizer = mn.optim.SGD(model.parameters(), lr=params["lr"], momentum=0.9)
    history = mn.fit(model, loss_fn, optimizer, X_train, y_train, X_val=X_val, y_val=y_val,
                     epochs=EPOCHS, batch_size=params.get("batch_size", 32), progress=False,
                     rng=seed)
    # The sweep records what train() returns into the trial's run; the curves (loss per
    # step, validation per epoch) are recorded by fit() itself, into the current run.
    return {"val_loss": history.val_loss[-1], "val_accuracy": history.val_acc[-1]}


if __name__ == "__main__":
    print(train({"lr": 0.1}, seed=0))
