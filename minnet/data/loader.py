"""DataLoader: mini-batches of (X, y), reshuffled at every epoch."""


from minnet.arguments import checked_init
from minnet.errors import ConfigError, DataError, ShapeError
from minnet.random import make_rng
from minnet.validation import as_array, check_bool, check_int


class DataLoader:
    """Iterate over ``(X_batch, y_batch)`` mini-batches, as PyTorch's DataLoader does.

    Parameters
    ----------
    X : array of shape (N, ...)
        The samples; the first axis indexes them. Not copied.
    y : array of shape (N, ...) or None
        The targets. With ``y=None`` each batch is ``(X_batch, None)``, so that
        ``for xb, yb in loader`` works the same way with and without targets.
    batch_size : int >= 1
        The last batch is smaller when N is not a multiple of ``batch_size``
        (unless ``drop_last``).
    shuffle : bool
        Draw a new random order of the samples at every epoch (every ``iter()``
        call), without replacement: each sample is seen exactly once per epoch.
        With ``shuffle=False`` the batches are slices, hence views of X and y.
    drop_last : bool
        Drop the last, incomplete batch (useful with batch norm, whose
        statistics are poor on a batch of one or two).
    rng : None, int or numpy.random.Generator
        Source of the permutations (``minnet.random.make_rng``); the same seed
        gives the same batch order, epoch after epoch.
    replacement : bool, keyword only
        Sample with replacement instead: an epoch is N indices drawn uniformly
        with replacement, so some samples repeat and others are missed
        (bootstrap-style). Requires ``shuffle=True``.

    ``len(loader)`` is the number of batches per epoch. Raises ShapeError when X
    and y have different lengths, ConfigError for a bad argument, DataError for
    an empty X.

    Examples
    --------
    >>> loader = DataLoader(X, y, batch_size=32, rng=0)
    >>> for X_batch, y_batch in loader:   # X_batch: (32, D), y_batch: (32,)
    ...     loss = loss_fn(model(X_batch), y_batch)
    """

    @checked_init  # a wrong argument: an ArgumentError naming DataLoader
    def __init__(self, X, y=None, batch_size=64, shuffle=True, drop_last=False, rng=None,
                 *, replacement=False):
        self.batch_size = check_int("DataLoader", "batch_size", batch_size, minimum=1)
        self.shuffle = check_bool("DataLoader", "shuffle", shuffle)
        self.drop_last = check_bool("DataLoader", "drop_last", drop_last)
        self.replacement = check_bool("DataLoader", "replacement", replacement)
        if self.replacement and not self.shuffle:
            raise ConfigError(
                "DataLoader: replacement=True draws random samples, so it requires "
                "shuffle=True; got shuffle=False"
            )
        X = as_array("DataLoader", X, what="X")  # a ragged list: a ShapeError
        if X.ndim == 0:
            raise ShapeError(f"DataLoader: expected X of shape (N, ...), got a scalar {X!r}")
        if len(X) == 0:
            raise DataError(f"DataLoader: X is empty (shape {X.shape}); there is nothing to "
                            f"iterate over")
        if y is not None:
            y = as_array("DataLoader", y, what="y")
            if y.ndim == 0:
                raise ShapeError(f"DataLoader: expected y of shape (N, ...), got a scalar "
                                 f"{y!r}")
            if len(y) != len(X):
                raise ShapeError(
                    f"DataLoader: X and y must have the same number of samples (first axis), "
                    f"got len(X)={len(X)} and len(y)={len(y)}"
                )
        if self.drop_last and len(X) < self.batch_size:
            raise ConfigError(
                f"DataLoader: drop_last=True with batch_size={self.batch_size} larger than "
                f"the {len(X)} samples gives no batch at all; lower batch_size"
            )
        self.X = X
        self.y = y
        self.num_samples = len(X)
        self.rng = make_rng(rng)

    def __repr__(self):
        return (f"DataLoader(num_samples={self.num_samples}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last}, "
                f"replacement={self.replacement})")

    def __len__(self):
        full, rest = divmod(self.num_samples, self.batch_size)
        return full if (self.drop_last or rest == 0) else full + 1

    def __iter__(self):
        # The order is drawn here, not lazily inside the generator, so that each
        # iter() call is one epoch with its own permutation from the loader's rng.
        if not self.shuffle:
            order = None
        elif self.replacement:
            order = self.rng.integers(0, self.num_samples, size=self.num_samples)
        else:
            order = self.rng.permutation(self.num_samples)
        return self._batches(order)

    def _batches(self, order):
        stop = len(self) * self.batch_size
        for start in range(0, min(stop, self.num_samples), self.batch_size):
            if order is None:
                index = slice(start, start + self.batch_size)  # a view, no copy
            else:
                index = order[start:start + self.batch_size]  # one fancy-index copy
            yield self.X[index], (None if self.y is None else self.y[index])
