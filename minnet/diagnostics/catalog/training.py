"""The catalog's records of the codes the monitor raises during training.

Same layout as ``before_training``: one keyword ``CatalogEntry`` per code.
"""

from minnet.diagnostics.catalog.entry import CatalogEntry
from minnet.diagnostics.catalog.sources import (
    BENGIO,
    CS231N,
    CS231N_ACT,
    GLOROT,
    GOODFELLOW,
    HE,
    IOFFE,
    KARPATHY,
    KARPATHY_TWEET,
    LECUN,
    PASCANU,
    SMITH,
    SRIVASTAVA,
)

TRAINING = [
    # --- monitor: statistics during training ---------------------------------------------
    CatalogEntry(
        code="lr-too-high", severity="warning", kind="monitor",
        title="Learning rate too high",
        signal="Before training, the user's learning rate against a learning-rate range test "
               "(the rate grows from 1e-7 to 10, step by step); during training, the smoothed "
               "training loss against its best value and the update/weight ratio ||dW|| / ||W|| "
               "per layer.",
        threshold="The rate is at or beyond the range test's divergence rate (smoothed loss "
                  "above 4 x its best and above its start), or both >= 10 x the range test's "
                  "suggestion and >= 1/4 of its divergence rate; or, during training, smoothed "
                  "loss above 4 x its best (and above 1.5 x its start, or back above half-way "
                  "from its best to its start), update/weight ratio > 1e-1 (with SGD, median "
                  "> 0.5 on each of the first 3 checks), or ReLU layers dying during the run "
                  "while the rate is >= 10 x the range test's suggestion.",
        explanation="Each step jumps across the valley of the loss instead of descending into "
                    "it, so the loss oscillates, climbs, or explodes to Inf. Large steps also "
                    "push ReLUs into the dead region and tanh/sigmoid into saturation, from "
                    "which they may not recover.",
        fix="Divide the learning rate by 10 (e.g. SGD(model.parameters(), lr=0.01) instead of "
            "lr=1.0) or pick it with a learning-rate range test; add "
            "minnet.optim.clip_grad_norm_(model.parameters(), 1.0) before optimizer.step() if "
            "the loss spikes.",
        source=f"{CS231N}; {SMITH}",
    ),
    CatalogEntry(
        code="lr-too-low", severity="warning", kind="monitor",
        title="Learning rate too low",
        signal="Before training, the user's learning rate against the range test's suggestion (a "
               "tenth of the rate of the lowest loss); during training, the update/weight ratio "
               "of every layer and the change of the smoothed loss.",
        threshold="The rate is more than 1000 x below the suggestion (when the sweep lowered the "
                  "loss by 20% or more); or, during training, update/weight ratio < 1e-5 in "
                  "every layer while the loss is not moving.",
        explanation="The weights change by less than a hundred-thousandth of their size per "
                    "step, so after thousands of steps the network is still almost where it "
                    "started. The loss falls linearly and slowly, which is easy to mistake for a "
                    "plateau or for a model that is too small.",
        fix="Multiply the learning rate by 10 to 100 (e.g. Adam(model.parameters(), lr=1e-3) "
            "instead of lr=1e-7), or choose it with a learning-rate range test; aim for an "
            "update/weight ratio around 1e-3.",
        source=f"{CS231N}; {SMITH}",
    ),
    CatalogEntry(
        code="update-ratio-high", severity="warning", kind="monitor",
        title="Updates too large relative to the weights",
        signal="Per parameter, the size of one optimizer step relative to the weights: ||W_after "
               "- W_before|| / ||W_before||.",
        threshold="Ratio > 1e-1 (about 1e-3 is typical; [1e-4, 1e-2] is healthy).",
        explanation="An update that changes a weight tensor by more than a tenth of its size "
                    "each step rewrites the layer faster than the gradient can guide it. "
                    "Training becomes noisy or diverges, and units die or saturate.",
        fix="Lower the learning rate until the ratio is near 1e-3, e.g. SGD(model.parameters(), "
            "lr=0.01) instead of lr=1.0; check that the weights are not tiny (a zero or "
            "near-zero init makes every update look huge).",
        source=f"{CS231N} (\"ratio of weights:updates\")",
    ),
    CatalogEntry(
        code="update-ratio-low", severity="warning", kind="monitor",
        title="Updates too small relative to the weights",
        signal="Per parameter, the size of one optimizer step relative to the weights: ||W_after "
               "- W_before|| / ||W_before||.",
        threshold="Ratio < 1e-5 (about 1e-3 is typical; [1e-4, 1e-2] is healthy).",
        explanation="The layer barely changes from step to step, so it stays close to its random "
                    "initialization and learns very slowly. When only some layers are affected, "
                    "their gradients are vanishing or their weights are much larger than the "
                    "others.",
        fix="Raise the learning rate until the ratio is near 1e-3, e.g. Adam(model.parameters(), "
            "lr=1e-3) instead of lr=1e-6; if only early layers are affected, look for vanishing "
            "gradients (use ReLU with Linear(d, h, init=\"he\"), or add BatchNorm1d).",
        source=f"{CS231N} (\"ratio of weights:updates\")",
    ),
    CatalogEntry(
        code="grads-not-zeroed", severity="error", kind="monitor",
        title="Gradients accumulate across steps",
        signal="A parameter's .grad is already non-zero when the next backward pass starts, step "
               "after step. On sampled steps, the gradient optimizer.step() sees is compared "
               "with the fresh one this step's backward computed (.grad after backward minus "
               ".grad before it).",
        threshold="Non-zero .grad at the start of backward on 3 or more consecutive steps, or "
                  "the optimizer's gradient differs from the one this step's backward computed "
                  "(.grad after backward minus .grad before it) by a relative error > 1e-2, on "
                  "3 sampled checks in a row.",
        explanation="backward() adds to .grad instead of overwriting it, so that gradients can "
                    "be accumulated on purpose. Without zeroing, each step uses the sum of all "
                    "gradients so far: the steps grow larger and point in stale directions, the "
                    "loss oscillates or explodes, and even a single batch cannot be overfitted.",
        fix="Call optimizer.zero_grad() once per step, before the backward pass: "
            "optimizer.zero_grad(); loss = loss_fn(model(xb), yb); "
            "model.backward(loss_fn.backward()); optimizer.step().",
        source=f"{KARPATHY_TWEET}; PyTorch tutorial \"Zeroing out gradients\"",
    ),
    CatalogEntry(
        code="dead-relu", severity="warning", kind="monitor",
        title="ReLU units that never activate",
        signal="For each ReLU layer, units whose output is 0 on every sample of the probe batch, "
               "and the fraction of such units in the layer.",
        threshold="A unit <= 0 on the whole probe batch is dead; the layer is flagged when more "
                  "than 50% of its units are dead.",
        explanation="A ReLU whose input is negative for every sample outputs 0 and passes back a "
                    "zero gradient, so its incoming weights never change again: the unit is dead "
                    "for good. It happens after a too-large update (a high learning rate) pushes "
                    "the bias very negative, or with a bad init or unscaled inputs.",
        fix="Lower the learning rate; initialize with Linear(d, h, init=\"he\") and zero biases; "
            "standardize the inputs; or use LeakyReLU(0.01), which keeps a small gradient for "
            "negative inputs.",
        source=f"{CS231N_ACT}; {HE}; Lu et al., \"Dying ReLU and Initialization\" (2019)",
    ),
    CatalogEntry(
        code="saturated-activation", severity="warning", kind="monitor",
        title="Tanh/sigmoid units stuck at their limits",
        signal="For each tanh or sigmoid layer, the fraction of outputs whose local derivative "
               "is below 0.01 (tanh: |y| > 0.995; sigmoid: y < 0.01 or y > 0.99).",
        threshold="Local derivative < 0.01 on more than 50% of a layer's outputs.",
        explanation="Tanh and sigmoid are flat near their limits (+-1, 0 and 1), so a saturated "
                    "unit passes back almost no gradient. When most units of a layer saturate, "
                    "the layers below it stop learning; the activation histogram piles up at the "
                    "two ends.",
        fix="Shrink the pre-activations: use Linear(d, h, init=\"xavier\") for tanh/sigmoid "
            "layers, standardize the inputs, lower the learning rate, or add BatchNorm1d before "
            "the activation; in deep stacks prefer ReLU.",
        source=f"{GLOROT}; {CS231N_ACT}",
    ),
    CatalogEntry(
        code="vanishing-gradients", severity="warning", kind="monitor",
        title="Gradients vanish toward the first layers",
        signal="The RMS gradient of the first layer's weights divided by that of the last "
               "layer's. For each recurrent layer (RNN, LSTM, GRU; one layer, one direction), "
               "the norm of dL/dh_t at every time step t, the last step's error followed back "
               "through time, on a few samples.",
        threshold="first / last < 1e-3; through time: ||dL/dh_0|| / ||dL/dh_{T-1}|| < 1e-6 "
                  "and below 0.5 per step; either on 5 sampled checks in a row.",
        explanation="Backpropagation multiplies the gradient by each layer's weights and "
                    "activation derivative. When these factors are below 1 (sigmoid's derivative "
                    "is at most 0.25), the gradient shrinks geometrically with depth, or with "
                    "time steps in an RNN, and the first layers receive almost nothing: they "
                    "stay random and the network behaves like a shallow one.",
        fix="Use ReLU in deep stacks with Linear(d, h, init=\"he\"); add BatchNorm1d or residual "
            "connections; for recurrent networks use LSTM or GRU and an orthogonal "
            "initialization of the recurrent weights (minnet.init.orthogonal).",
        source=f"{GLOROT}; {PASCANU}",
    ),
    CatalogEntry(
        code="exploding-gradients", severity="warning", kind="monitor",
        title="Gradients explode",
        signal="The RMS gradient of the first layer divided by that of the last, and the global "
               "gradient norm from one check to the next.",
        threshold="first / last > 70, or the global gradient norm doubling check after check.",
        explanation="When each layer (or each time step of an RNN) multiplies the gradient by a "
                    "factor above 1, the gradient grows geometrically on its way back. One huge "
                    "step then throws the weights far away: the loss spikes, and a few steps "
                    "later it becomes Inf or NaN.",
        fix="Clip the gradient norm before each step: "
            "minnet.optim.clip_grad_norm_(model.parameters(), max_norm=1.0); then "
            "optimizer.step(). Also lower the learning rate and initialize recurrent weights "
            "orthogonally (spectral radius near 1).",
        source=f"{PASCANU}; {GLOROT}",
    ),
    CatalogEntry(
        code="regularization-dominates", severity="warning", kind="monitor",
        title="Regularization outweighs the data loss",
        signal="The regularization part of the loss (RegularizedLoss.reg_loss) or its gradient "
               "compared with the data part (RegularizedLoss.data_loss) or its gradient. With "
               "AdamW, the decoupled decay's move of the weights (lr x weight_decay x w) "
               "compared with the rest of its update, the Adam step.",
        threshold="While the data loss is above half its start, on 3 consecutive checks: the "
                  "penalty more than 1.2 x the data loss, or its gradient more than 3 x the data "
                  "loss's gradient (the checklist's rule of thumb: 10 x is certainly too much), "
                  "or AdamW's decay larger than its Adam step (1 x).",
        explanation="The optimizer minimizes the sum of both terms. When the penalty dominates, "
                    "it mostly shrinks the weights toward zero instead of fitting the data, and "
                    "the model underfits. More regularization is never a fix for a bug.",
        fix="Lower the regularization strength by a factor of 10 to 1000 (e.g. "
            "RegularizedLoss(loss_fn, model, l2=1e-4) instead of l2=1.0, or AdamW(..., "
            "weight_decay=0.01) instead of 10) and check that the training loss falls; raise "
            "it only when the model overfits.",
        source=f"{CS231N}; {KARPATHY} (\"regularize\")",
    ),
    CatalogEntry(
        code="loss-plateau", severity="warning", kind="monitor",
        title="The loss stopped falling while accuracy is low",
        signal="The relative decrease of the smoothed training loss over successive windows, and "
               "the training accuracy.",
        threshold="Smoothed loss falls by less than 0.1% over several windows while accuracy is "
                  "low.",
        explanation="The optimizer is stuck: the gradients are too small to move the weights "
                    "(saturated or dead units, a learning rate far too low) or the steps cancel "
                    "out (a learning rate too high, bouncing between the walls of the valley). "
                    "Training more epochs does not help.",
        fix="Run a learning-rate range test and pick the rate where the loss falls fastest; "
            "check the dead-relu and saturated-activation plots; if the rate is right, reduce it "
            "on plateaus with a scheduler, e.g. ReduceLROnPlateau(optimizer, factor=0.1).",
        source=f"{KARPATHY}; {SMITH}",
    ),
    CatalogEntry(
        code="labels-sorted-no-shuffle", severity="warning", kind="monitor",
        title="Batches are not shuffled",
        signal="The label diversity (entropy of the class counts) of each training batch "
               "compared with that of random batches of the same sizes drawn from the labels "
               "seen in training.",
        threshold="Mean label entropy of the batches below 0.5 x that of random batches, over "
                  "at least 10 batches.",
        explanation="With data sorted by label, each batch holds one class, so each step pulls "
                    "the network toward that class and the next batch pulls it elsewhere: the "
                    "weights chase the latest class and the loss swings. A fixed order also lets "
                    "the model fit the order instead of the data.",
        fix="Shuffle inputs and labels together, every epoch: perm = rng.permutation(len(X)); X, "
            "y = X[perm], y[perm]; or use DataLoader(X, y, batch_size=64, shuffle=True). Never "
            "shuffle y apart from X.",
        source=f"{LECUN}, section 4.2; {BENGIO}",
    ),
    CatalogEntry(
        code="eval-in-train-mode", severity="warning", kind="monitor",
        title="Evaluation with dropout/batch norm in training mode",
        signal="Forward passes with no backward (evaluation) while Dropout or BatchNorm layers "
               "are in training mode; batch-norm running statistics changing during evaluation.",
        threshold="Any evaluation forward (1 or more forwards with no backward) while a "
                  "Dropout/BatchNorm layer is in training mode.",
        explanation="In training mode, dropout zeroes random units and batch norm normalizes "
                    "with the statistics of the current batch (and updates its running "
                    "averages). Evaluated this way, predictions are random, depend on the other "
                    "samples in the batch, and evaluation silently changes the model.",
        fix="Call model.eval() before evaluating and model.train() before training again: "
            "model.eval(); val_loss = loss_fn(model(X_val), y_val); model.train().",
        source=f"{KARPATHY_TWEET}; {IOFFE}",
    ),
    CatalogEntry(
        code="overfitting", severity="warning", kind="monitor",
        title="Validation loss rises while training loss falls",
        signal="The validation loss against the training loss over the run.",
        threshold="Validation loss rising on 3 or more consecutive checks (above its best) while "
                  "the training loss keeps falling.",
        explanation="The network is memorizing the training samples, noise included, instead of "
                    "learning patterns that carry over to new data. Past this point, more "
                    "training makes the model worse on anything it has not seen.",
        fix="Stop at the best validation loss (keep a checkpoint of it), add data or "
            "augmentation, add Dropout or an L2 penalty (RegularizedLoss(loss_fn, model, "
            "l2=1e-4)), or use a smaller model.",
        source=f"{GOODFELLOW}, sections 5.2 and 7.8; {CS231N}",
    ),
    CatalogEntry(
        code="underfitting", severity="warning", kind="monitor",
        title="Training and validation loss both high and flat",
        signal="The level and the trend of the training and validation losses over the run.",
        threshold="Both losses high (above 0.5 x the initial loss) and flat (less than 1% "
                  "change) over 3 or more consecutive checks.",
        explanation="The network cannot even fit its training data: it is too small, too "
                    "regularized, or the optimization is not working (a wrong learning rate, "
                    "saturated or dead units). Its validation loss is just as bad because it has "
                    "learned little.",
        fix="First make sure it can overfit one batch; then make the model bigger (e.g. "
            "Linear(d, 256) instead of Linear(d, 16), or more layers), lower the regularization "
            "(e.g. RegularizedLoss(loss_fn, model, l2=1e-5)), train longer (fit(..., epochs=50)) "
            "or tune the learning rate.",
        source=f"{GOODFELLOW}, section 5.2; {KARPATHY} (\"overfit\")",
    ),
    CatalogEntry(
        code="no-lr-schedule", severity="info", kind="monitor",
        title="A constant learning rate where a schedule would help",
        signal="The learning rate over the run and the shape of the training loss near its end.",
        threshold="Learning rate constant over a run of at least 200 steps while the loss has "
                  "flattened (over the last third of the steps, the mean of the second half "
                  "differs from that of the first by less than 2% or the noise, whichever is "
                  "larger) and is still above a tenth of its start.",
        explanation="A constant learning rate large enough to make fast progress early on is too "
                    "large to settle into the bottom of the valley: the loss stops falling and "
                    "jitters around a level above what the model can reach. Decaying the rate "
                    "lets it descend further.",
        fix="Add a schedule: scheduler = StepLR(optimizer, step_size=10, gamma=0.1) (or a cosine "
            "schedule) and call scheduler.step() once per epoch, or ReduceLROnPlateau(optimizer) "
            "with the validation loss.",
        source=f"{KARPATHY} (\"tune: learning rate decay\"); {BENGIO}",
    ),
    CatalogEntry(
        code="optimizer-not-updating", severity="error", kind="monitor",
        title="The optimizer does not update the model",
        signal="Per sampled step, the update/weight ratio ||W_after - W_before|| / ||W_before|| "
               "of every weight of the model, the gradient norm that backward() produced and "
               "the one optimizer.step() sees, and whether the optimizer holds the model's "
               "weights at all.",
        threshold="Every weight's update exactly 0 on 3 sampled checks in a row while the "
                  "gradients (at step() or at the end of backward()) are not zero and the "
                  "learning rate is not 0.",
        explanation="The model's weights never change, although backward() computes "
                    "gradients: step() either updates other weights (an optimizer built on the "
                    "parameters of another copy of the model) or finds the gradients already "
                    "zeroed (zero_grad() between backward() and step(), or step() called before "
                    "backward()). A larger learning rate would change nothing.",
        fix="Build the optimizer on the model the loop trains, e.g. optimizer = "
            "Adam(model.parameters(), lr=1e-3) after the last model = ...; in each step call "
            "optimizer.zero_grad(); loss = loss_fn(model(xb), yb); "
            "model.backward(loss_fn.backward()); optimizer.step(), in that order.",
        source="PyTorch tutorial \"Zeroing out gradients\"; PyTorch docs, torch.optim "
               "(\"construct the optimizer after moving the model\")",
    ),
    CatalogEntry(
        code="lr-schedule-collapse", severity="warning", kind="monitor",
        title="A schedule drove the learning rate down too early",
        signal="The learning rate recorded at every step against its peak so far, and the "
               "training loss after it fell.",
        threshold="The rate falls to 1/100 of its peak within the first half of the run, stays "
                  "there, and the loss after that point does not improve (its first and second "
                  "halves differ by less than 5% and the noise).",
        explanation="A scheduler multiplies the rate by its factor at each scheduler.step(). "
                    "Called after every batch instead of every epoch, a decay meant to act over "
                    "the whole training acts within a few epochs: the rate becomes too small "
                    "to learn anything, and the loss freezes where it was.",
        fix="Call scheduler.step() once per epoch, after the loop over the batches (or give "
            "the scheduler a period counted in batches, e.g. CosineAnnealingLR(optimizer, "
            "T_max=epochs * len(loader)) when stepping per batch).",
        source=f"{SMITH}; PyTorch docs, torch.optim (\"how to adjust the learning rate\")",
    ),
    CatalogEntry(
        code="train-in-eval-mode", severity="warning", kind="monitor",
        title="Training with dropout/batch norm in eval mode",
        signal="Training steps (a forward reaching backward, then an optimizer step) while the "
               "model and every Dropout and BatchNorm layer are in eval mode: model.eval() "
               "called before the training loop and never undone.",
        threshold="3 consecutive training steps with the model and all of its Dropout/BatchNorm "
                  "layers in eval mode (some batch-norm layers frozen inside a model in "
                  "training mode is a deliberate technique and stays silent).",
        explanation="In eval mode dropout is the identity and batch norm normalizes with its "
                    "running averages, which never move. Trained this way the network gets no "
                    "regularization from dropout and none of batch norm's help with the scale "
                    "of the activations, and it overfits or trains slowly without any error.",
        fix="Call model.train() at the start of every training epoch (and model.eval() only "
            "around evaluation): for epoch in range(epochs): model.train(); ...; model.eval(); "
            "evaluate(...).",
        source=f"{KARPATHY_TWEET}; {IOFFE}; {SRIVASTAVA}",
    ),
]
