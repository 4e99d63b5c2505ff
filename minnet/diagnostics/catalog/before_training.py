"""The catalog's records of the checks that run before training: lint, data, sanity.

One ``CatalogEntry`` per code, every field by keyword (``entry`` says what
each field is); the monitor's codes, raised during training, are in
``training``. A threshold here is the value its rule uses: when a rule is
retuned, its record changes with it. The explanation is for a student: what
happens inside the network and why it breaks training. The fix is code.
"""

from minnet.diagnostics.catalog.entry import CatalogEntry
from minnet.diagnostics.catalog.setup import SETUP
from minnet.diagnostics.catalog.sources import (
    CS231N,
    CS231N_PREP,
    GLOROT,
    GOODFELLOW,
    HE,
    IOFFE,
    KARPATHY,
    KARPATHY_TWEET,
    LECUN,
    LI,
    NIELSEN,
    SRIVASTAVA,
)

BEFORE_TRAINING = [
    # --- lint: the model and loss as written ---------------------------------------------
    CatalogEntry(
        code="softmax-before-loss", severity="error", kind="lint",
        title="Softmax applied before a loss that takes logits",
        signal="The model's last layer is a Softmax (or a Sigmoid) and the loss "
               "(CrossEntropyLoss, or BCEWithLogitsLoss) applies its own softmax (or sigmoid) to "
               "what it receives; at run time, outputs that reach the loss in [0, 1] with rows "
               "summing to 1.",
        threshold="Structural: a Softmax/Sigmoid output layer feeds a loss that takes logits. At "
                  "run time: every output in [0, 1] and every row sum within 1e-4 of 1.",
        explanation="CrossEntropyLoss expects raw scores (logits) and turns them into "
                    "probabilities itself. Fed probabilities, it applies softmax a second time "
                    "to numbers squeezed into [0, 1], so every class gets almost the same "
                    "probability: the loss stays near ln C and the gradients are tiny "
                    "(BCEWithLogitsLoss after a Sigmoid is the same mistake). The network learns "
                    "very slowly or not at all.",
        fix="Remove the final Softmax() (or Sigmoid()) from the model and give the logits to "
            "CrossEntropyLoss (or BCEWithLogitsLoss); apply softmax only when you need "
            "probabilities for display, e.g. probabilities, _ = softmax_forward(model(X)) after "
            "training.",
        source=f"{KARPATHY_TWEET}; {GOODFELLOW}, section 6.2.2.3",
    ),
    CatalogEntry(
        code="relu-before-loss", severity="error", kind="lint",
        title="ReLU applied before a loss that takes logits",
        signal="The model's last layer is a ReLU and the loss (CrossEntropyLoss, or "
               "BCEWithLogitsLoss) expects raw scores, negative ones included.",
        threshold="Structural: a ReLU output layer (trailing Flatten/Reshape skipped) feeds "
                  "CrossEntropyLoss or BCEWithLogitsLoss, possibly inside a RegularizedLoss.",
        explanation="Logits must be free to go negative: a negative logit is how the network "
                    "says a class is unlikely. A final ReLU clips every negative logit to 0, "
                    "so after BCEWithLogitsLoss's sigmoid no probability falls below 0.5, and "
                    "with CrossEntropyLoss a class whose logit is clipped gets no gradient "
                    "at all. Outputs stuck at 0 never recover, and the loss plateaus well above "
                    "what the model could reach.",
        fix="Remove the final ReLU() so the last Linear gives the logits: Sequential(Linear(d, "
            "h), ReLU(), Linear(h, c)) with CrossEntropyLoss(); keep ReLU only between "
            "hidden layers.",
        source=f"{GOODFELLOW}, section 6.2.2; {KARPATHY_TWEET}",
    ),
    CatalogEntry(
        code="sigmoid-mse-classification", severity="warning", kind="lint",
        title="Sigmoid output trained with MSE on class labels",
        signal="The model's last layer is a Sigmoid, the loss is MSELoss, and the targets are "
               "class labels: an integer or boolean dtype, or float values that are all 0 or 1 "
               "(one-hot included).",
        threshold="Structural: Sigmoid output + MSELoss (possibly inside a RegularizedLoss) + "
                  "targets of integer/boolean dtype or every value in {0, 1}; targets with any "
                  "other value are a regression and stay silent.",
        explanation="With MSE the gradient reaching the sigmoid's input is 2 (p - y) p (1 - p): "
                    "when the output is confidently wrong (p near 0 for y = 1), the factor p (1 "
                    "- p) is near 0 and the unit barely learns, exactly when it is most wrong. "
                    "Cross-entropy on the same output cancels that factor and leaves a gradient "
                    "p - y. Training with MSE is slow and stalls on saturated mistakes.",
        fix="Drop the final Sigmoid() and train the logits with BCEWithLogitsLoss() (or, for "
            "one class among C, Linear(h, C) with CrossEntropyLoss()); keep Sigmoid() only "
            "with BCELoss() or to display probabilities.",
        source=f"{GOODFELLOW}, section 6.2.2.2; {NIELSEN}",
    ),
    CatalogEntry(
        code="stacked-linear", severity="warning", kind="lint",
        title="Two linear layers with no nonlinearity between",
        signal="Two affine layers (Linear, Conv1d, Conv2d) follow each other with only Dropout, "
               "BatchNorm, LayerNorm, Flatten, Reshape or average pooling (or nothing) between "
               "them: no nonlinearity.",
        threshold="Structural: affine -> (Dropout | BatchNorm | LayerNorm | Flatten | Reshape | "
                  "AvgPool)* -> affine, in a Sequential or Residual whose order is known.",
        explanation="A linear map of a linear map is still one linear map: W2 (W1 x + b1) + b2 = "
                    "W x + b. The extra layer adds parameters and cost but no power to represent "
                    "curved decision boundaries, so the deeper model can do no better than a "
                    "single Linear layer.",
        fix="Put an activation between the two layers: Sequential(Linear(d, h), ReLU(), "
            "Linear(h, c)); or remove one of the two Linear layers if a linear model is meant.",
        source=f"{GOODFELLOW}, section 6.1",
    ),
    CatalogEntry(
        code="dropout-before-batchnorm", severity="warning", kind="lint",
        title="Dropout placed before batch norm",
        signal="A Dropout layer feeds a BatchNorm layer, directly or through activations, "
               "Flatten/Reshape or pooling.",
        threshold="Structural: Dropout -> (activation | Flatten | Reshape | pooling | Dropout)* "
                  "-> BatchNorm1d/BatchNorm2d.",
        explanation="During training, dropout zeroes units and rescales the others, which "
                    "changes the variance that batch norm measures and stores in its running "
                    "statistics. At evaluation, dropout is switched off, so batch norm receives "
                    "activations with a different variance than the one it learned: this "
                    "variance shift makes evaluation results worse and unstable.",
        fix="Place dropout after the last batch norm: Linear -> BatchNorm1d -> ReLU -> Dropout, "
            "e.g. Sequential(Linear(d, h), BatchNorm1d(h), ReLU(), Dropout(0.5), Linear(h, c)).",
        source=f"{LI}; {IOFFE}",
    ),
    CatalogEntry(
        code="dropout-too-high", severity="warning", kind="lint",
        title="Dropout rate of 0.9 or more",
        signal="The rate p (the probability of zeroing a unit) of every Dropout layer "
               "(Dropout, Dropout2d, any layer named Dropout*) in the model.",
        threshold="p >= 0.9, i.e. 10% of the units or fewer kept at each training step.",
        explanation="Dropout zeroes each unit with probability p and scales the rest by "
                    "1 / (1 - p). With p = 0.9 the next layer sees a tenth of its inputs, "
                    "multiplied by 10, and a different tenth at every step: its input is mostly "
                    "noise, the gradients are large and erratic, and the network underfits. "
                    "Rates of 0.5 for hidden units and 0.2 for inputs are the usual ones, and p "
                    "in minnet is the rate dropped, not the rate kept (as in PyTorch).",
        fix="Lower the rate: Dropout(0.5) between hidden layers, Dropout(0.2) or none on the "
            "inputs; if you meant to keep 90% of the units, write Dropout(0.1).",
        source=f"{SRIVASTAVA}; {GOODFELLOW}, section 7.12",
    ),
    CatalogEntry(
        code="symmetric-init", severity="error", kind="lint",
        title="Weights start identical (zero variance or equal rows)",
        signal="Every weight tensor of a layer has identical rows (one row per output unit), "
               "e.g. all entries equal; the output layer and the last layer of a residual block "
               "are exempt (zero-initializing them is a known technique).",
        threshold="All rows of every weight of the layer exactly equal (distinct rows = 1), for "
                  "a layer of 2 or more units.",
        explanation="Units with the same incoming weights compute the same output, receive the "
                    "same gradient and get the same update, so they stay identical forever: a "
                    "layer of 100 units behaves like a layer of one. With all-zero weights after "
                    "a ReLU, gradients can even be exactly zero and nothing learns.",
        fix="Initialize weights randomly with a fan-in scale: Linear(d, h, init=\"he\") before "
            "ReLU, init=\"xavier\" before tanh/sigmoid (or W.data[...] = "
            "minnet.init.kaiming_normal(W.shape, rng)); never fill a weight with zeros or a "
            "constant (biases may start at zero).",
        source=f"{GOODFELLOW}, section 8.4; {CS231N_PREP}",
    ),
    CatalogEntry(
        code="weight-scale-skew", severity="warning", kind="lint",
        title="Initial weight scale far from He/Glorot/LeCun",
        signal="The root-mean-square of each weight tensor at initialization compared with the "
               "nearest standard scale: He, Glorot, LeCun, PyTorch's default, orthogonal (and "
               "the recurrent ones for RNN/LSTM/GRU).",
        threshold="RMS weight / nearest reference outside [0.5, 2], with references sqrt(2 / "
                  "fan_in) (He), sqrt(2 / (fan_in + fan_out)) (Glorot), sqrt(1 / fan_in) "
                  "(LeCun), sqrt(1 / (3 fan_in)) (PyTorch), 1 / sqrt(max(rows, cols)) "
                  "(orthogonal). The band is widened by exp(+-5 / sqrt(2n)) for a weight of n "
                  "entries; weights with fewer than 16 entries are skipped; the output layer and "
                  "the last layer of a residual block may start small, never large; recurrent "
                  "weights also compare with 1 / sqrt(H), 1 / sqrt(3H) and Glorot per gate.",
        explanation="Each layer multiplies the size of its input by roughly std x sqrt(fan_in). "
                    "When that factor is far from 1, activations grow or shrink geometrically "
                    "with depth: too large saturates tanh/sigmoid and blows up the loss, too "
                    "small makes the signal and the gradients vanish before they reach the first "
                    "layers.",
        fix="Use the initializer that matches the activation: Linear(d, h, init=\"he\") before "
            "ReLU, init=\"xavier\" before tanh, init=\"lecun\" before sigmoid; do not scale the "
            "weights by hand (e.g. remove a `* 10` or `* 0.01`).",
        source=f"{HE}; {GLOROT}; {LECUN}",
    ),
    # --- data: the arrays before training ------------------------------------------------
    CatalogEntry(
        code="non-finite", severity="error", kind="data",
        title="NaN or Inf in the data or during training",
        signal="NaN or Inf in the inputs or targets, or, during training, in the loss, the "
               "activations, the gradients or the weights (the first layer that produced it is "
               "named).",
        threshold="Any non-finite value (count > 0).",
        explanation="One NaN poisons every number it touches: it spreads through the matrix "
                    "products to the loss, the gradients and then into every weight, after which "
                    "the network only outputs NaN. An Inf usually comes from an overflow (exp of "
                    "a large number, a learning rate that is too high) and turns into NaN one "
                    "step later.",
        fix="Find and repair the bad values before training, e.g. X = np.nan_to_num(X) or drop "
            "the rows: mask = np.isfinite(X).all(axis=1); X, y = X[mask], y[mask]. If they "
            "appear during training, lower the learning rate or clip gradients with "
            "minnet.optim.clip_grad_norm_(model.parameters(), 1.0).",
        source=f"{KARPATHY}; {GOODFELLOW}, section 4.1",
    ),
    CatalogEntry(
        code="inputs-not-centered", severity="warning", kind="data",
        title="Input features far from zero mean",
        signal="Per feature (per channel for images), the mean of the training inputs compared "
               "with its standard deviation; the validation inputs compared with the training "
               "statistics.",
        threshold="Median over features of |mean| / std > 3 with median |mean| > 1, or a feature "
                  "with |mean| > 10 and |mean| > 3 std; validation means a median of more than 3 "
                  "training std away from the training means.",
        explanation="When every input is far from zero and of the same sign, all the gradients "
                    "of a unit's incoming weights share one sign, so the weights can only move "
                    "together in zig-zags. The first layer also starts in a region where ReLUs "
                    "are all on or all off and tanh/sigmoid are saturated, which slows or stalls "
                    "learning.",
        fix="Standardize with the training statistics: mean = X_train.mean(axis=0); std = "
            "X_train.std(axis=0) + 1e-8; X_train = (X_train - mean) / std; apply the same mean "
            "and std to X_val and X_test.",
        source=f"{LECUN}, section 4.3; {CS231N_PREP}",
    ),
    CatalogEntry(
        code="inputs-not-scaled", severity="warning", kind="data",
        title="Input features far from unit scale",
        signal="Per feature (per channel for images), the standard deviation of the inputs and "
               "the largest absolute input value; the validation spread compared with the "
               "training spread.",
        threshold="max |x| > 10 with median feature std > 10; or max |x| < 1 with median std < "
                  "0.01; or a feature with std > 10 and > 10 x the median std; validation std "
                  "outside [1/3, 3] x the training std.",
        explanation="The initializers assume inputs of roughly unit size. Inputs 255 times too "
                    "large (raw pixel values) make the first layer's outputs 255 times too "
                    "large, saturating activations and making the loss and gradients huge; "
                    "features on very different scales make the loss surface long and narrow, so "
                    "one learning rate is too big for some weights and too small for others.",
        fix="Rescale the inputs: X = X / 255.0 for pixels, or standardize per feature with the "
            "training mean and std: X = (X - X_train.mean(0)) / (X_train.std(0) + 1e-8).",
        source=f"{LECUN}, section 4.3; {CS231N_PREP}",
    ),
    CatalogEntry(
        code="constant-feature", severity="info", kind="data",
        title="An input feature never changes",
        signal="An input feature with the same value in every training sample.",
        threshold="Every training sample has exactly the same value at that position (any count "
                  "> 0).",
        explanation="A feature that never changes carries no information: its weights only act "
                    "like an extra bias. It is harmless for training but often reveals a bug in "
                    "loading or preprocessing (a column filled with a default value, a channel "
                    "lost in a reshape), and it makes standardization divide by zero.",
        fix="Check how the feature is produced; if it is truly constant, drop it: keep = "
            "X_train.std(axis=0) > 0; X_train, X_val = X_train[:, keep], X_val[:, keep]; add "
            "1e-8 to the std when standardizing.",
        source=f"{KARPATHY} (\"become one with the data\"); {LECUN}, section 4.3",
    ),
    CatalogEntry(
        code="class-imbalance", severity="warning", kind="data",
        title="Classes are strongly imbalanced",
        signal="The number of training samples per class.",
        threshold="Largest / smallest class count > 10, or normalized label entropy H(y) / ln C "
                  "< 0.5, and a chi-square test against equal classes significant at 5 standard "
                  "deviations; counted over the classes present in y.",
        explanation="With a rare class, predicting the frequent class everywhere already gives a "
                    "low loss and high accuracy, so the gradients mostly push toward the "
                    "majority and the rare class is barely learned. Accuracy then hides the "
                    "failure.",
        fix="Resample to balance the classes: weights = 1.0 / np.bincount(y)[y]; index = "
            "rng.choice(len(y), size=len(y), p=weights / weights.sum()); train on X[index], "
            "y[index]; set the final bias to the log class frequencies (model[-1].bias.data[:] = "
            "np.log(np.bincount(y) / len(y))); report per-class accuracy, not only the mean.",
        source=f"Buda, Maki & Mazurowski, \"A systematic study of the class imbalance problem in "
               f"convolutional neural networks\", Neural Networks 2018; {KARPATHY}",
    ),
    CatalogEntry(
        code="split-overlap", severity="warning", kind="data",
        title="Identical samples in training and validation",
        signal="Rows of X_val that also appear, byte for byte, in X (rows are hashed).",
        threshold="More shared validation rows than expected + 4 sqrt(expected (1 - p)) + 3, and "
                  "at least 2% of the validation set; p, the chance that a fresh sample has a "
                  "twin in training, is estimated from the repeats inside each split. With "
                  "continuous features, 4 shared rows fire.",
        explanation="A validation sample that is also a training sample has been memorized, so "
                    "the validation score measures memory instead of generalization. It looks "
                    "better than the truth and hides overfitting, and decisions based on it "
                    "(early stopping, model choice) are biased.",
        fix="Remove duplicates before splitting: X_all, index = np.unique(X_all, axis=0, "
            "return_index=True); y_all = y_all[index]; then split once with a shuffled "
            "permutation so that no sample lands in both sets.",
        source="Barz & Denzler, \"Do We Train on Test Data? Purging CIFAR of Near-Duplicates\", "
               f"J. Imaging 2020; {KARPATHY}",
    ),
    CatalogEntry(
        code="labels-out-of-range", severity="error", kind="data",
        title="Labels outside [0, C) for a C-class output",
        signal="The training (and validation) labels compared with the number of classes the "
               "model outputs.",
        threshold="For CrossEntropyLoss: any label that is negative, not an integer, or >= C (C "
                  "= width of the output); for BCEWithLogitsLoss: any target outside [0, 1].",
        explanation="A class index must select one of the model's C outputs. A label equal to C, "
                    "a negative label or a 1-based labelling points outside the output, so the "
                    "loss reads the wrong score or fails; the network is trained toward targets "
                    "that do not match its outputs.",
        fix="Map the labels to 0 .. C-1 (e.g. y = y - 1 for 1-based labels, or classes, y = "
            "np.unique(y, return_inverse=True)) and make the last layer output C = len(classes) "
            "scores.",
        source=f"{KARPATHY} (\"become one with the data\")",
    ),
    # --- sanity routines -----------------------------------------------------------------
    CatalogEntry(
        code="initial-loss-off", severity="warning", kind="sanity",
        title="Initial loss far from ln C",
        signal="The data loss of the untrained model on a random batch (dropout off), compared "
               "with ln C (the loss of a uniform guess over C classes; ln 2 per output for "
               "BCEWithLogitsLoss), and the spread of the logits.",
        threshold="Loss > 1.5 x ln C while the logits' RMS spread > 2.5 (confidently wrong), or "
                  "loss < 0.5 x the entropy of the batch's labels (not a fresh model).",
        explanation="At initialization the network knows nothing, so it should give every class "
                    "about the same probability and the loss should be close to ln C for C "
                    "classes. A much larger loss means the outputs start huge and "
                    "confidently wrong (a bad init or unscaled inputs); a much smaller one means "
                    "the labels leak into the inputs or the loss is computed on the wrong thing.",
        fix="Start the final layer small: model[-1].weight.data *= 0.1 and "
            "model[-1].bias.data[:] = 0 (or the log class frequencies for imbalanced data); "
            "standardize the inputs; check that the loss receives the logits and the labels.",
        source=f"{KARPATHY} (\"verify loss @ init\"); {CS231N}",
    ),
    CatalogEntry(
        code="gradcheck-failed", severity="error", kind="sanity",
        title="Analytic and numerical gradients disagree",
        signal="Analytic gradients (backward) against central differences in float64 on a tiny "
               "copy of the real model, a few coordinates of every parameter and of the input.",
        threshold="Relative error > 1e-2: error; > 1e-4: warning; steps of 1e-5, 1e-6 and 1e-7 "
                  "are tried so that a ReLU or max-pool kink next to the point is not blamed.",
        explanation="Backpropagation relies on every layer's backward being the exact derivative "
                    "of its forward. If one is wrong (a missing term, a transposed matrix, a "
                    "flipped sign), the optimizer follows a direction that is not downhill, and "
                    "training stalls or diverges in ways no learning rate can fix.",
        fix="Fix the backward of the named layer so that it matches its forward: derive it on "
            "paper, then test it alone with minnet.gradcheck.gradcheck(layer, x) in float64 "
            "until the relative error is below 1e-6.",
        source=f"CS231n, \"Neural Networks Part 3: gradient checks\"; {GOODFELLOW}, section 11.5",
    ),
    CatalogEntry(
        code="cannot-overfit-batch", severity="warning", kind="sanity",
        title="Cannot overfit one small batch",
        signal="Train copies of the model on 16 random samples, regularization and dropout off, "
               "for up to 200 steps with the user's optimizer, then Adam at 1e-2 and 1e-3; the "
               "most promising run continues to 4 x 200 steps.",
        threshold="No run reaches 100% training accuracy or a loss at most 5% of min(initial "
                  "loss, the loss of an uninformed prediction: ln C, ln 2 per logit, the "
                  "targets' variance); the warning needs the best loss above 20% of that "
                  "reference.",
        explanation="Any working network can memorize 16 examples. If it cannot, something in "
                    "the pipeline is broken (gradients not zeroed, a wrong backward, labels "
                    "misaligned with inputs, a learning rate far off) and training on the full "
                    "data will not work either.",
        fix="Find the bug on the single batch before anything else: call optimizer.zero_grad() "
            "before each backward pass, check that X_batch and y_batch are paired, run "
            "gradcheck, and try learning rates 1e-4 to 1e-1 until the batch is fitted.",
        source=f"{KARPATHY} (\"overfit one batch\"); {CS231N}",
    ),
    CatalogEntry(
        code="ignores-input", severity="warning", kind="sanity",
        title="The model's loss does not depend on its input",
        signal="The best single-batch run repeated with every input replaced by the batch mean "
               "(integer inputs by 0): the loss reached with the real inputs compared with the "
               "input-free loss.",
        threshold="Loss with the real inputs >= 0.9 x the loss without them.",
        explanation="If replacing every input by the batch mean does not change the loss, the "
                    "output does not depend on the input: the network has learned only the label "
                    "frequencies through its biases. Usually the input is lost on the way (a "
                    "layer that overwrites x, a detached branch, features multiplied by zero).",
        fix="Trace the input through forward(): print the shape and std after each layer "
            "(model.register_forward_hook) and look for the layer where it stops depending on x, "
            "e.g. a forward that returns self.bias or uses a stored tensor instead of x.",
        source=f"{KARPATHY} (\"input-independent baseline\")",
    ),
]

# The setup's own errors (one-hot targets, an error raised by the model, loss or data).
BEFORE_TRAINING += SETUP
