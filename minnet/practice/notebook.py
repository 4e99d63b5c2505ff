"""A practice card as a Jupyter notebook, and the helpers its cells call.

``minnet practice show ID --notebook`` writes ``ID.ipynb``: the question, a
cell for your prediction (the card's multiple choice), a cell that runs the
card's quick experiment and prints each claim's verdict as ``minnet practice
run ID --quick`` does, a cell drawing the card's figure, and last the answer,
its source collapsed in JupyterLab so that it is read after the run.
"""

import io

from minnet import notebooks
from minnet.errors import ConfigError
from minnet.practice.loading import load_cards
from minnet.practice.runner import run_card, save_figure

RUN_CELL = '''\
# The quick run, as `minnet practice run {id} --quick`: each claim, then its must-fail twin
from minnet.practice.notebook import figure_here, run_here

run = run_here("{id}")'''

FIGURE_CELL = "figure_here(run)"

PREDICTION = """\
## Your prediction

{question}

{choices}

**My prediction:** *(double-click here, write a letter and why, then run the next cell)*"""


def _one_line(text):
    return " ".join(text.split())


def _answer(card):
    claims = "\n".join(f"- **{claim.name}**: {claim.text}" for claim in card.CLAIMS)
    prediction = card.PREDICT
    return (f"## Answer\n\n{_one_line(card.ANSWER)}\n\n**Prediction:** ({prediction.letter}) "
            f"{prediction.choices[prediction.answer]}\n\n**Claims the run checks:**\n\n{claims}")


def card_notebook(card):
    """The notebook of ``card`` (a card module): question, prediction, run, figure, answer."""
    prediction = card.PREDICT
    choices = "\n".join(f"{chr(ord('a') + i)}) {choice}  "
                        for i, choice in enumerate(prediction.choices))
    related = f"; related: {', '.join(card.RELATED)}" if card.RELATED else ""
    return notebooks.build([
        notebooks.markdown("question", f"# Practice card: {card.ID}\n\n*{card.TOPIC}; sources "
                                       f"{', '.join(card.SOURCES)}{related}*\n\n"
                                       f"{_one_line(card.QUESTION)}"),
        notebooks.markdown("prediction", PREDICTION.format(question=prediction.question,
                                                           choices=choices)),
        notebooks.code("run", RUN_CELL.format(id=card.ID)),
        notebooks.code("figure", FIGURE_CELL),
        notebooks.markdown("answer", _answer(card), hidden=True),
    ])


def run_here(card_id, seed=0):
    """Run card ``card_id``'s quick experiment, print it as ``minnet practice run --quick``
    does, and return the ``runner.Run``."""
    cards = load_cards()
    if card_id not in cards:
        raise ConfigError(f"unknown card {card_id!r}: `minnet practice list` shows the "
                          f"{len(cards)} cards")
    run = run_card(cards[card_id], seed=seed, quick=True)
    print(run.render())
    return run


def figure_here(run):
    """The card's figure for ``run`` as a PNG that Jupyter displays (``IPython.display.Image``;
    IPython comes with every Jupyter kernel, so it is no minnet dependency)."""
    from IPython.display import Image

    buffer = io.BytesIO()
    save_figure(run, buffer)
    return Image(data=buffer.getvalue(), format="png")
