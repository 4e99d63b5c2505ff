"""The README's main job: the MNIST-1D residual MLP of Greydanus & Kaplan (2020).

Model (the paper's MLP): 40 -> Linear 100 -> ReLU -> x + ReLU(Linear 100 -> 100)
-> Linear 10, trained with Adam (lr 1e-2), batch 100, for 6000 steps (150
epochs of the 4000 training samples). The paper reports 68% test accuracy.
"""

from minnet.mnist1d_models import build_mlp, train_mnist1d

build_mnist1d_mlp = build_mlp  # the demo's model, under the name the tests use


def run_demo(steps=6000, batch_size=100, lr=1e-2, seed=0, progress=True, plot_path=None,
             data=None, verbose=False):
    """Train the MNIST-1D MLP; return a ``minnet.mnist1d_models.TrainingResult``.

    Parameters
    ----------
    steps : int
        Optimizer steps; rounded up to whole epochs of the training set.
    data : minnet.data.Dataset or None
        (X_train, y_train, X_test, y_test); None generates MNIST-1D locally.
    plot_path : str or None
        Where to write the loss-curve PNG; None writes no figure.
    verbose : bool
        Say so when MNIST-1D is generated (not when it comes from the cache).
    """
    if data is None:
        from minnet.data import mnist1d

        data = mnist1d(verbose=verbose)
    result = train_mnist1d("mlp", data, steps=steps, batch_size=batch_size, lr=lr, seed=seed,
                           progress=progress)
    if plot_path is not None:
        result.plot_path = save_loss_plot(result.history, plot_path)
    return result


def save_loss_plot(history, path):
    """Write the train/test loss curves of ``history`` to a PNG at ``path``; return the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(6, 4))
    history.plot(ax=ax)
    ax.set_title("minnet demo: MNIST-1D residual MLP")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return str(path)
