"""Run a card: its experiment, then each claim and its must-fail twin."""

import time
from dataclasses import dataclass


@dataclass
class Run:
    """A card's run: the experiment's result, the outcomes, and how long it took (s)."""

    card: object
    seed: int
    quick: bool
    result: dict
    outcomes: list
    twins: list
    seconds: float

    @property
    def passed(self):
        """Every claim holds and no twin does (a twin that holds: the claim proves nothing)."""
        return all(o.passed for o in self.outcomes) and not any(t.passed for t in self.twins)

    def render(self):
        lines = [f"{self.card.ID}  seed {self.seed}{'  quick' if self.quick else ''}  "
                 f"({self.seconds:.2f} s)"]
        for claim, outcome, twin in zip(self.card.CLAIMS, self.outcomes, self.twins):
            lines.append(f"  {outcome.render()}")
            lines.append(f"      {claim.text}")
            expected = "fails, as it must" if not twin.passed else "HOLDS: the claim proves nothing"
            lines.append(f"      must-fail twin: {twin.value:.4g} {twin.comparison} "
                         f"{twin.threshold:g}  {expected}")
        return "\n".join(lines)


def run_card(card, seed=0, quick=True):
    start = time.perf_counter()
    result = card.experiment(seed, quick)
    seconds = time.perf_counter() - start
    outcomes = [claim.check(result) for claim in card.CLAIMS]
    twins = [claim.check_twin(result) for claim in card.CLAIMS]
    return Run(card, seed, quick, result, outcomes, twins, seconds)


def save_figure(run, path):
    """Draw the card's figure for this run into a PNG at ``path``."""
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, nothing global

    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    run.card.figure(run.result, ax)
    ax.set_title(f"{run.card.ID} (seed {run.seed})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path
