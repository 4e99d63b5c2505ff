"""The practice cards, one module per card (``ID`` kebab-case, module name snake_case).

``ORDER`` lists the built cards in the order of LEARNING.md's table; a card
is listed only when it is complete (its claims hold on seeds 0-4 and their
twins fail), so the package never ships a stub.
"""

ORDER = (
    "overfit_first",
    "sgd_update",
    "two_layer_numpy",
    "dropout_numpy",
    "activations_plot",
    "activations_tradeoffs",
    "relu_kink",
    "sigmoid_jacobian",
    "skip_connections",
    "exploding_gradients",
    "rnn_gradients",
    "weight_norm",
    "val_below_train",
    "early_stopping",
    "gd_sgd_minibatch",
    "epochs_vs_replacement",
    "weight_fluctuation",
    "lr_curves",
    "warmup",
    "bn_vs_ln",
    "l2_squared",
    "weight_decay",
    "lr_decay_why",
    "lr_decay_exceptions",
    "batch_extremes_one",
    "batch_extremes_full",
    "lr_batch_scaling",
    "adagrad_sparse",
    "adam_vs_sgd",
    "adam_state_scale",
    "async_sgd",
    "stacked_linear",
    "relu_linear",
    "xor_smallest",
    "zero_init",
    "randomness",
    "noise_helps",
    "dead_relu_what",
    "dead_relu_detect",
    "dead_relu_prevent",
)
