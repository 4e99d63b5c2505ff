"""Exercise 18, embedding: a table lookup and its scatter-add backward.

Every case repeats some ids (the mistake a fancy-index ``+=`` makes shows
only then); the table is never as tall as the batch, so a gradient of the
batch's shape cannot pass for the table's.
"""

from minnet.exercises.cases import Case, rng_for
from minnet.exercises.spec import PairSpec
from minnet.exercises.specs.batchnorm_cases import on_numpy
from minnet.functional import embedding_backward, embedding_forward


def case(id_shape, vocab, dim, seed, label, gradcheck=False, offset=0.0, **options):
    rng = rng_for(seed)
    ids = rng.integers(0, vocab, id_shape)
    ids.reshape(-1)[-1] = ids.reshape(-1)[0]  # at least one id repeated
    weight = offset + rng.standard_normal((vocab, dim))
    return Case(label, {"indices": ids, "weight": weight}, seed=seed, gradcheck=gradcheck,
                options=options)


def fixed():
    return [case((4,), 6, 3, 1, "4 ids, a (6, 3) table", gradcheck=True),
            case((2, 5), 4, 2, 2, "(N, T) = (2, 5) ids, a (4, 2) table", gradcheck=True),
            case((3, 3), 7, 5, 3, "(3, 3) ids")]


def strategy():
    from hypothesis import strategies as st

    return st.tuples(st.integers(1, 4), st.integers(2, 6), st.integers(2, 8), st.integers(1, 5))


def from_params(params, seed):
    n, t, vocab, dim = params
    return case((n, t), vocab, dim, seed, "drawn by hypothesis")


def edges():
    return [case((1, 7), 3, 4, 10, "batch of 1, 7 ids from 3"),
            case((2, 4), 5, 3, 11, "padding_idx=1 gets no gradient", padding_idx=1),
            case((6,), 2, 3, 12, "a 2-row table, every id repeated")]


def probes():
    return [case((5, 2), 3, 4, 20, "probe: weight = randn + 12", offset=12.0)]


SPEC = PairSpec("embedding", "embedding_forward", "embedding_backward",
                {"embedding_forward": on_numpy(embedding_forward),
                 "embedding_backward": on_numpy(embedding_backward)},
                ("weight",), fixed, strategy, from_params, edges, probes)
