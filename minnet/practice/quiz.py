"""``minnet practice quiz``: ask, predict, read the answer, watch the run, self-grade.

Reads one line per prompt from ``stdin`` with ``readline`` (not ``input``), so
the same loop works at a terminal and with answers piped in; end of input
ends the quiz, keeping the grades given so far.
"""

import textwrap

from minnet.practice import leitner
from minnet.practice.runner import run_card


class _EndOfInput(Exception):
    pass


def _ask(prompt, stdin, stdout):
    stdout.write(prompt)
    stdout.flush()
    line = stdin.readline()
    if not line:
        stdout.write("\n")
        raise _EndOfInput
    return line.strip()


def _wrap(text):
    return textwrap.fill(" ".join(text.split()), width=78)


def ask_card(card, state, stdin, stdout, seed=0):
    """One card, start to finish; returns True when self-graded right."""
    say = stdout.write
    say(f"\n[{card.ID}]  box {leitner.box(state, card.ID)}  ({card.TOPIC})\n")
    say(_wrap(card.QUESTION) + "\n\n")
    _ask("Your answer (one line; Enter to skip): ", stdin, stdout)
    say("\n" + card.PREDICT.render() + "\n")
    letters = "".join(chr(ord("a") + i) for i in range(len(card.PREDICT.choices)))
    guess = _ask(f"Your prediction ({'/'.join(letters)}): ", stdin, stdout).lower()[:1]
    say("\nModel answer:\n" + textwrap.indent(_wrap(card.ANSWER), "  ") + "\n")
    say(f"\nPrediction: the right choice is {card.PREDICT.letter}) "
        f"{card.PREDICT.choices[card.PREDICT.answer]}")
    say(" (you said the same)\n" if guess == card.PREDICT.letter else
        f" (you said {guess or 'nothing'})\n")
    run = run_card(card, seed=seed, quick=True)
    say("\nThe quick run:\n" + run.render() + "\n")
    verdict = "every claim held" if run.passed else "a claim did NOT hold on this run"
    say(f"Verdict: {verdict}.\n")
    while True:
        reply = _ask("Did you know it? (y/n): ", stdin, stdout).lower()[:1]
        if reply in ("y", "n"):
            return reply == "y"
        say("Please type y or n.\n")


def quiz(cards, n, stdin, stdout, folder="."):
    """Ask up to ``n`` due cards; returns how many were graded."""
    state = leitner.load(folder)
    graded = 0
    try:
        for card_id in leitner.due(state, list(cards), n):
            right = ask_card(cards[card_id], state, stdin, stdout)
            new_box = leitner.grade(state, card_id, right)
            leitner.save(state, folder)
            graded += 1
            stdout.write(f"{card_id} is now in box {new_box}.\n")
    except _EndOfInput:
        stdout.write("End of input: stopping the quiz.\n")
    stdout.write(f"\n{graded} card(s) graded; progress in {leitner.PATH}\n")
    return graded
