"""The cache stack: a layer used twice before backward, a second backward, no_grad()."""

import threading
import warnings

import numpy as np
import pytest

import minnet as mn
from minnet.core import Module, PendingForwardWarning, Sequential
from minnet.errors import DTypeError, MinnetError
from minnet.kernels import BACKENDS, use_backend
from minnet.layers import GRU, LSTM, Conv1d, Linear, ReLU, Tanh
from minnet.training import evaluate, predict


def separate_passes(make, inputs, grads):
    """Input gradients and summed parameter gradients of lone forward/backward pairs."""
    layer = make()
    grads_in = []
    for x, grad in zip(inputs, grads):
        layer(x)
        grads_in.append(layer.backward(grad))
    return grads_in, [param.grad.copy() for param in layer.parameters()]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("make, shape", [
    (lambda: Linear(3, 4, rng=0), (5, 3)),
    (lambda: Conv1d(2, 3, 3, rng=0), (2, 2, 7)),
    (lambda: LSTM(3, 4, rng=0), (2, 5, 3)),
    (lambda: GRU(3, 4, return_sequences=True, rng=0), (2, 5, 3)),
], ids=["Linear", "Conv1d", "LSTM", "GRU"])
def test_a_layer_used_twice_gets_each_uses_gradient(backend, make, shape, rng):
    inputs = [rng.standard_normal(shape) for _ in range(2)]
    with use_backend(backend):
        layer = make()
        outputs = [layer(x) for x in inputs]
        grads = [rng.standard_normal(out.shape) for out in outputs]
        second = layer.backward(grads[1])
        first = layer.backward(grads[0])
        expected_in, expected = separate_passes(make, inputs, grads)
    np.testing.assert_allclose(first, expected_in[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(second, expected_in[1], rtol=1e-12, atol=1e-14)
    for param, want in zip(layer.parameters(), expected):
        np.testing.assert_allclose(param.grad, want, rtol=1e-12, atol=1e-14)


def test_weight_tying_in_a_sequential(rng):
    """One Linear registered twice: Sequential backpropagates each use with its own input."""
    shared = Linear(4, 4, rng=0)
    model = Sequential(shared, Tanh(), shared)
    x = rng.standard_normal((3, 4))
    grad_out = rng.standard_normal((3, 4))
    model(x)
    model.backward(grad_out)
    assert mn.gradcheck(model, x)
    # by hand: y = W tanh(W x + b) + b
    w, b = shared.weight.data, shared.bias.data
    hidden = np.tanh(x @ w.T + b)
    grad_hidden = grad_out @ w * (1 - hidden ** 2)
    np.testing.assert_allclose(shared.weight.grad, grad_out.T @ hidden + grad_hidden.T @ x)
    np.testing.assert_allclose(shared.bias.grad, grad_out.sum(0) + grad_hidden.sum(0))


def test_a_decoder_loop_over_one_gru_equals_the_whole_sequence(rng):
    """Calling a GRU once per step, state carried by hand, gives the sequence's gradients."""
    x = rng.standard_normal((2, 6, 3))
    grad_out = rng.standard_normal((2, 6, 4))
    whole = GRU(3, 4, return_sequences=True, rng=0)
    out = whole(x)
    whole.backward(grad_out)
    looped = GRU(3, 4, rng=0)
    states, h = [], None
    for t in range(6):
        h = looped(x[:, t:t + 1], h0=h)
        states.append(h)
    np.testing.assert_allclose(np.stack(states, axis=1), out, rtol=1e-12)
    grad_h = np.zeros((2, 4))
    for t in reversed(range(6)):
        looped.backward(grad_out[:, t] + grad_h)
        grad_h = looped.grad_h0 if t > 0 else None
    for mine, theirs in zip(looped.parameters(), whole.parameters()):
        np.testing.assert_allclose(mine.grad, theirs.grad, rtol=1e-10, atol=1e-12)


def test_a_second_backward_for_one_forward_is_a_clear_error(rng):
    layer = Linear(3, 2, rng=0)
    layer(rng.standard_normal((4, 3)))
    layer.backward(np.ones((4, 2)))
    once = layer.weight.grad.copy()
    with pytest.raises(MinnetError, match=r"backward\(\) called before forward\(\).*second "
                                          r"backward for one forward"):
        layer.backward(np.ones((4, 2)))
    np.testing.assert_array_equal(layer.weight.grad, once)  # nothing was added twice


def test_a_wrong_grad_shape_leaves_the_cache_pending(rng):
    layer = Linear(3, 2, rng=0)
    layer(rng.standard_normal((4, 3)))
    with pytest.raises(mn.ShapeError, match=r"expected grad_out of shape \(4, 2\)"):
        layer.backward(np.ones((4, 3)))
    assert layer.pending_forwards == 1
    layer.backward(np.ones((4, 2)))


def test_no_grad_keeps_no_cache_and_nests(rng):
    model = Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1))
    x = rng.standard_normal((5, 3))
    assert mn.is_grad_enabled()
    with mn.no_grad():
        assert not mn.is_grad_enabled()
        out = model(x)
        with mn.enable_grad():
            assert mn.is_grad_enabled()
        with mn.no_grad():
            pass
        assert not mn.is_grad_enabled()
    assert mn.is_grad_enabled()
    np.testing.assert_array_equal(out, model(x))  # the same output, cached this time
    assert all(m.pending_forwards == (1 if m is not model else 0) for m in model.modules())
    model.backward(np.ones((5, 2)))
    with mn.no_grad():
        model(x)
    with pytest.raises(MinnetError, match="no_grad"):
        model.backward(np.ones((5, 2)))


def test_no_grad_as_a_decorator_and_per_thread():
    @mn.no_grad()
    def inside():
        return mn.is_grad_enabled()

    seen = []
    with mn.no_grad():
        thread = threading.Thread(target=lambda: seen.append(mn.is_grad_enabled()))
        thread.start()
        thread.join()
    assert inside() is False and mn.is_grad_enabled() and seen == [True]


def test_evaluate_and_predict_keep_no_cache(rng):
    model = Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1))
    X, y = rng.standard_normal((50, 3)), rng.integers(0, 2, 50)
    for _ in range(100):
        evaluate(model, mn.CrossEntropyLoss(), X, y, batch_size=7)
        predict(model, X, batch_size=7)
    assert all(module.pending_forwards == 0 for module in model.modules())


def test_an_inference_loop_outside_no_grad_holds_bounded_memory_and_says_so(rng):
    layer = Linear(3, 2, rng=0).eval()
    x = rng.standard_normal((4, 3))
    with pytest.warns(PendingForwardWarning, match=r"mn\.no_grad\(\)") as record:
        for _ in range(3 * layer.max_pending_forwards):
            layer(x)
    assert len(record) == 1 and layer.pending_forwards == layer.max_pending_forwards
    for _ in range(layer.max_pending_forwards):
        layer.backward(np.ones((4, 2)))
    with pytest.raises(MinnetError, match="dropped old caches"):
        layer.backward(np.ones((4, 2)))


def test_model_backward_given_the_loss_value_says_what_to_pass(rng):
    model = Sequential(Linear(3, 2, rng=0))
    loss_fn = mn.CrossEntropyLoss()
    loss = loss_fn(model(rng.standard_normal((4, 3))), np.array([0, 1, 0, 1]))
    with pytest.raises(MinnetError, match=r"loss_fn\.backward\(\)"):
        model.backward(loss)
    with pytest.raises(MinnetError, match=r"got the number"):
        model.backward(np.float64(loss))
    model.backward(loss_fn.backward())


def test_object_dtype_gradients_are_refused(rng):
    layer = Linear(3, 2, rng=0)
    layer(rng.standard_normal((4, 3)))
    with pytest.raises(DTypeError, match="Linear.backward: expected a float grad_out, got an "
                                         "array of dtype object"):
        layer.backward(np.ones((4, 2), dtype=object))


def test_a_hand_written_layer_may_keep_its_own_cache(rng):
    """The stack is for minnet's layers; a user's layer with an attribute cache still runs."""

    class Square(Module):
        def forward(self, x):
            self._x = x
            return x ** 2

        def backward(self, grad_out):
            return 2 * self._x * grad_out

    model = Sequential(Linear(3, 2, rng=0), Square())
    assert mn.gradcheck(model, rng.standard_normal((4, 3)))


def test_fit_clears_the_cache_of_a_non_finite_step(rng):
    model = Sequential(Linear(2, 2, rng=0))
    model[0].weight.data[:] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mn.fit(model, mn.CrossEntropyLoss(), mn.optim.SGD(model.parameters(), lr=0.1),
               rng.standard_normal((8, 2)), np.zeros(8, dtype=int), epochs=1, progress=False)
    assert model[0].pending_forwards == 0
