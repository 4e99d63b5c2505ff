"""PyTorch as the oracle of a layer (imported as ``torch_oracle`` by the layer tests)."""

import numpy as np


def run_against_torch(torch, ours, theirs, x, grad_out):
    """One forward and backward through a minnet layer and its torch twin, in float64.

    ``theirs`` must already hold ``ours``' parameters. Returns ``[(name, ours, theirs)]``
    for the output, the input gradient and every parameter's gradient.
    """
    out = ours(x)
    grad_x = ours.backward(grad_out)
    tx = torch.from_numpy(np.array(x)).requires_grad_(True)
    t_out = theirs(tx)
    t_out.backward(torch.from_numpy(grad_out))
    pairs = [("output", out, t_out.detach().numpy()), ("grad_x", grad_x, tx.grad.numpy())]
    ours_by_name = dict(ours.named_parameters())
    pairs += [(f"{name}.grad", ours_by_name[name].grad, param.grad.numpy())
              for name, param in theirs.named_parameters()]
    return pairs


def assert_pairs_close(pairs, rtol=1e-10, atol=1e-12):
    for name, ours, theirs in pairs:
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=name)
