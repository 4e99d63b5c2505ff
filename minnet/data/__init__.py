"""Data: mini-batching, splitting, scaling, MNIST-1D and small synthetic datasets.

- ``DataLoader``: (X_batch, y_batch) mini-batches, reshuffled every epoch.
- ``train_val_split``: a (stratified) hold-out split, scikit-learn's return order.
- ``Standardizer``: zero mean, unit variance per feature; fit on training data only.
- ``mnist1d``: the MNIST-1D benchmark, generated locally and cached.
- ``spiral``, ``xor``, ``adding_problem``, ``toy_phrases``: small generated sets.
"""

from minnet.data.generators import adding_problem, spiral, xor
from minnet.data.loader import DataLoader
from minnet.data.mnist1d import Dataset, mnist1d
from minnet.data.phrases import PhraseData, toy_phrases
from minnet.data.scaling import Standardizer
from minnet.data.split import train_val_split

__all__ = [
    "DataLoader",
    "Dataset",
    "PhraseData",
    "Standardizer",
    "adding_problem",
    "mnist1d",
    "spiral",
    "toy_phrases",
    "train_val_split",
    "xor",
]
