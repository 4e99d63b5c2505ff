"""Wrong batch norms: unbiased variance, momentum reversed, statistics per sample, biased running
variance."""

import numpy as np


def _axes(x):
    return (0,) + tuple(range(2, x.ndim))


def _shape(x):
    return (1, -1) + (1,) * (x.ndim - 2)


def _forward(x, gamma, beta, eps, mean, var, ddof=0, per_sample=False):
    if mean is None:
        axes = tuple(range(1, x.ndim)) if per_sample else _axes(x)
        mu = x.mean(axis=axes, keepdims=True)
        sigma2 = x.var(axis=axes, keepdims=True, ddof=ddof)
    else:
        mu, sigma2 = mean.reshape(_shape(x)), var.reshape(_shape(x))
    xhat = (x - mu) / np.sqrt(sigma2 + eps)
    return gamma.reshape(_shape(x)) * xhat + beta.reshape(_shape(x)), (x, xhat)


def batchnorm_forward(x, gamma, beta, eps=1e-5, mean=None, var=None):
    return _forward(x, gamma, beta, eps, mean, var)


def unbiased_variance(x, gamma, beta, eps=1e-5, mean=None, var=None):
    return _forward(x, gamma, beta, eps, mean, var, ddof=1)


def per_sample(x, gamma, beta, eps=1e-5, mean=None, var=None):
    return _forward(x, gamma, beta, eps, mean, var, per_sample=True)


def batchnorm_running_stats(running_mean, running_var, batch_mean, batch_var, count,
                            momentum=0.1):
    unbiased = batch_var * count / (count - 1)
    return ((1 - momentum) * running_mean + momentum * batch_mean,
            (1 - momentum) * running_var + momentum * unbiased)


def momentum_reversed(running_mean, running_var, batch_mean, batch_var, count, momentum=0.1):
    unbiased = batch_var * count / (count - 1)
    return (momentum * running_mean + (1 - momentum) * batch_mean,
            momentum * running_var + (1 - momentum) * unbiased)


def biased_running_variance(running_mean, running_var, batch_mean, batch_var, count,
                            momentum=0.1):
    return ((1 - momentum) * running_mean + momentum * batch_mean,
            (1 - momentum) * running_var + momentum * batch_var)


MUTANTS = {
    "unbiased-variance": {"batchnorm_forward": unbiased_variance,
                          "batchnorm_running_stats": batchnorm_running_stats},
    "momentum-reversed": {"batchnorm_forward": batchnorm_forward,
                          "batchnorm_running_stats": momentum_reversed},
    "feature-axis": {"batchnorm_forward": per_sample,
                     "batchnorm_running_stats": batchnorm_running_stats},
    "biased-running-variance": {"batchnorm_forward": batchnorm_forward,
                                "batchnorm_running_stats": biased_running_variance},
}
