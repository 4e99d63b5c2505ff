"""``minnet practice list | show | run | quiz``: interview questions answered by runs.

Exit codes: 0 success (``run``: every claim held and every twin failed),
1 a claim did not hold, 2 the command was misused (an unknown card).
"""

import difflib
import json
import sys

from minnet.practice.loading import load_cards

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class _Usage(Exception):
    pass


def _card(card_id):
    cards = load_cards()
    if card_id not in cards:
        close = difflib.get_close_matches(card_id, list(cards), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise _Usage(f"unknown card {card_id!r}{hint} (minnet practice list shows them all)")
    return cards[card_id]


def _matches_source(card, source):
    """``003`` matches every 003 label; ``003:44`` matches 44a-d; ``003:44c`` only itself."""
    for label in card.SOURCES:
        if ":" not in source:
            if label.startswith(source + ":"):
                return True
        elif label.startswith(source) and not label[len(source):][:1].isdigit():
            return True  # "003:4" must not match "003:44", nor "001:C1" match "001:C17"
    return False


def _list(args):
    cards = [card for card in load_cards().values()
             if (args.source is None or _matches_source(card, args.source))
             and (args.topic is None or card.TOPIC == args.topic)]
    if args.json:
        for card in cards:
            print(json.dumps({"id": card.ID, "sources": list(card.SOURCES), "topic": card.TOPIC,
                              "question": " ".join(card.QUESTION.split()),
                              "claims": [claim.name for claim in card.CLAIMS]}))
        return EXIT_OK
    if not cards:
        print("No card matches.")
        return EXIT_OK
    width = max(len(card.ID) for card in cards)
    for card in cards:
        print(f"  {card.ID:<{width}}  {card.TOPIC:<14}  {', '.join(card.SOURCES)}")
    print(f"\n{len(cards)} card(s). minnet practice show ID  |  minnet practice run ID --quick")
    return EXIT_OK


def _show(args):
    card = _card(args.id)
    if args.out is not None and not args.notebook:
        raise _Usage("--out says where the notebook goes: use it with --notebook")
    if args.notebook:
        return _show_notebook(card, args.out)
    print(f"{card.ID}  ({card.TOPIC}; sources {', '.join(card.SOURCES)})\n")
    print(" ".join(card.QUESTION.split()) + "\n")
    print("Predict: " + card.PREDICT.render())
    if args.answer:
        print("\nAnswer: " + " ".join(card.ANSWER.split()))
        print(f"Prediction: ({card.PREDICT.letter}) {card.PREDICT.choices[card.PREDICT.answer]}")
        print("\nClaims the run checks:")
        for claim in card.CLAIMS:
            print(f"  {claim.name}: {claim.text}")
    else:
        print(f"\n(minnet practice show {card.ID} --answer for the answer)")
    return EXIT_OK


def _show_notebook(card, out):
    from minnet.notebooks import write_and_tell
    from minnet.practice.notebook import card_notebook

    write_and_tell(card_notebook(card), out, "", card.ID,
                   "the question, your prediction, the quick run and the answer")
    return EXIT_OK


def _run(args):
    from minnet.practice.runner import run_card, save_figure

    run = run_card(_card(args.id), seed=args.seed, quick=args.quick)
    print(run.render())
    if args.plot:
        print(f"Figure written to {save_figure(run, args.plot)}")
    return EXIT_OK if run.passed else EXIT_FAIL


def _quiz(args):
    from minnet.practice.quiz import quiz

    if args.n < 1:
        raise _Usage(f"-n must be >= 1, got {args.n}")
    quiz(load_cards(), args.n, sys.stdin, sys.stdout)
    return EXIT_OK


def add_parser(commands):
    """Register ``minnet practice ...`` on the ``minnet`` command's subparsers."""
    parser = commands.add_parser("practice", help="interview questions answered by experiments",
                                 description="Interview questions on training neural networks, "
                                             "each answered by an experiment that runs.")
    sub = parser.add_subparsers(dest="practice_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="the cards (filter by source label or topic)")
    listing.add_argument("--source", metavar="S", help="a seed label or its prefix: 003, "
                                                       "003:44, 000:P3, 001:C7")
    listing.add_argument("--topic", metavar="T")
    listing.add_argument("--json", action="store_true", help="one JSON object per card")
    listing.set_defaults(practice_run=_list)
    show = sub.add_parser("show", help="a card's question and prediction")
    show.add_argument("id")
    show.add_argument("--answer", action="store_true", help="also the answer and the claims")
    show.add_argument("--notebook", action="store_true",
                      help="write ID.ipynb instead: question, prediction, quick run, answer")
    show.add_argument("--out", metavar="PATH", help="with --notebook: the notebook's folder, "
                                                    "or a path ending in .ipynb")
    show.set_defaults(practice_run=_show)
    run = sub.add_parser("run", help="run a card's experiment and check its claims "
                                     "(exit 1 when one fails)")
    run.add_argument("id")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--quick", action="store_true", help="the small, seconds-long run")
    run.add_argument("--plot", metavar="PATH", help="write the card's figure as a PNG")
    run.set_defaults(practice_run=_run)
    quiz = sub.add_parser("quiz", help="question, your answer, prediction, run, self-grade "
                                       "(Leitner boxes in .minnet/practice.json)")
    quiz.add_argument("-n", type=int, default=5, help="cards to ask (default 5)")
    quiz.set_defaults(practice_run=_quiz)
    parser.set_defaults(run=run_command)


def run_command(args):
    try:
        return args.practice_run(args)
    except _Usage as error:
        print(f"minnet practice: error: {error}", file=sys.stderr)
        return EXIT_USAGE
