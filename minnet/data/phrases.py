"""toy_phrases: abusive / not-abusive chat phrases whose label is in the word order.

Real abuse detection must read "You're so fake" as abusive and "You are my
hero" as not; a bag of words gets those right. It fails on phrases that
use the same words in a different order: "you are fake not smart" asserts an
insult, "you are smart not fake" a compliment. This toy set is made only of
such pairs, so that a bag-of-words model is stuck at chance while a linear
model on bigrams reaches 100% (tested), as a recurrent model should.
"""

from collections import namedtuple

import numpy as np

from minnet.errors import ConfigError
from minnet.random import make_rng
from minnet.validation import check_int

PAD = "<pad>"

INSULTS = ("fake", "stupid", "useless", "pathetic", "dumb", "lazy", "boring", "rude",
           "clueless", "annoying")
COMPLIMENTS = ("smart", "kind", "brilliant", "honest", "funny", "helpful", "talented",
               "clever", "genuine", "sweet")
SUBJECTS = ("you are", "you're", "ur")
PREFIXES = ("", "honestly", "lol", "wow", "i think")
SUFFIXES = ("", "lol", "tbh")

# Each template has two adjective slots, {a} and {b}, and names the slot it
# asserts: the phrase is abusive exactly when that slot holds the insult.
TEMPLATES = (
    ("{s} {a} not {b}", "a"),              # you are fake not smart
    ("{s} not {a} {s} {b}", "b"),          # you are not smart you are fake
    ("{s} more {a} than {b}", "a"),        # you are more fake than smart
    ("{s} less {a} than {b}", "b"),        # you are less smart than fake
    ("{s} {a} and never {b}", "a"),        # you are fake and never smart
    ("{s} never {a} always {b}", "b"),     # you are never smart always fake
    ("{s} not {a} but {b}", "b"),          # you are not smart but fake
)

PhraseData = namedtuple("PhraseData", ["X", "y", "vocab", "texts"])
PhraseData.__doc__ = """The phrases as token ids, labels, vocabulary and text.

X : int64 (N, T) token ids, left-padded with 0 (``vocab[0] == "<pad>"``);
y : int64 (N,), 1 = abusive, 0 = not abusive;
vocab : list of str, ``vocab[i]`` is the word with id i;
texts : list of N str, the phrases.
"""


def _vocabulary():
    words = set(INSULTS) | set(COMPLIMENTS)
    for text in SUBJECTS + PREFIXES + SUFFIXES:
        words.update(text.split())
    for template, _ in TEMPLATES:
        words.update(w for w in template.split() if not w.startswith("{"))
    return [PAD] + sorted(words)


def _longest_phrase():
    longest_subject = max(len(s.split()) for s in SUBJECTS)
    return max(
        template.count("{s}") * longest_subject + 2
        + len([w for w in template.split() if not w.startswith("{")])
        for template, _ in TEMPLATES
    ) + max(len(p.split()) for p in PREFIXES) + max(len(s.split()) for s in SUFFIXES)


VOCAB = _vocabulary()
MAX_PHRASE_LEN = _longest_phrase()


def toy_phrases(n=1000, rng=None, max_len=None):
    """A balanced set of n chat phrases labelled abusive (1) or not (0) by word order.

    Phrases are made in twins: the same template, subject, filler words and
    pair (insult, compliment), with the two adjectives swapped, e.g.

        "you are fake not smart"          -> 1 (abusive: asserts "fake")
        "you are smart not fake"          -> 0
        "lol ur less smart than fake tbh" -> 1 (asserts "fake")
        "lol ur less fake than smart tbh" -> 0

    Twins have the identical multiset of words and opposite labels, so no
    bag-of-words model can beat 50% on them, while the word before each
    adjective ("not", "more", "less", "never", ...) decides the label: a linear
    model on bigram counts solves it, and so should an RNN over the tokens.
    One-hot (position, word) features do not: the optional filler words
    ("honestly", "i think", ...) shift the positions. (In the real
    task this stands for, "You're so fake" is abusive and "You are my hero" is
    not; such phrases need no word order, so they are left out.)

    Parameters
    ----------
    n : int >= 2
        Number of phrases; exactly half are abusive (one more or less when n is
        odd). Some phrases repeat when n is large.
    rng : None, int or numpy.random.Generator
        The same seed gives the same phrases in the same order.
    max_len : int or None
        Padded length T. None uses ``MAX_PHRASE_LEN``, the longest phrase the
        generator can make (the same for every call, so models fit any call);
        a larger value adds padding; a smaller one raises ConfigError.

    Returns
    -------
    PhraseData(X, y, vocab, texts)
        X int64 (n, T), left-padded with 0 so that the last time step is the
        last word (what an RNN's final state sees); y int64 (n,); vocab list of
        str (the same for every call); texts list of n str.
    """
    n = check_int("toy_phrases", "n", n, minimum=2)
    if max_len is None:
        max_len = MAX_PHRASE_LEN
    max_len = check_int("toy_phrases", "max_len", max_len, minimum=1)
    if max_len < MAX_PHRASE_LEN:
        raise ConfigError(
            f"toy_phrases: the 'max_len' parameter must be at least {MAX_PHRASE_LEN} "
            f"(the longest phrase), got {max_len}; phrases are never truncated, since "
            f"cutting one can change its label"
        )
    generator = make_rng(rng)
    num_pairs = (n + 1) // 2
    texts, labels = [], []
    for _ in range(num_pairs):
        template, asserted = TEMPLATES[generator.integers(len(TEMPLATES))]
        insult = INSULTS[generator.integers(len(INSULTS))]
        compliment = COMPLIMENTS[generator.integers(len(COMPLIMENTS))]
        subject = SUBJECTS[generator.integers(len(SUBJECTS))]
        prefix = PREFIXES[generator.integers(len(PREFIXES))]
        suffix = SUFFIXES[generator.integers(len(SUFFIXES))]
        for a, b in ((insult, compliment), (compliment, insult)):
            body = template.format(s=subject, a=a, b=b)
            texts.append(" ".join(part for part in (prefix, body, suffix) if part))
            labels.append(int((a if asserted == "a" else b) == insult))
    order = generator.permutation(len(texts))[:n]  # odd n: one twin is dropped
    texts = [texts[i] for i in order]
    y = np.asarray(labels, dtype=np.int64)[order]
    return PhraseData(X=_encode(texts, max_len), y=y, vocab=list(VOCAB), texts=texts)


def _encode(texts, max_len):
    """Token ids (len(texts), max_len), left-padded with the id of "<pad>" (0)."""
    word_id = {word: i for i, word in enumerate(VOCAB)}
    X = np.zeros((len(texts), max_len), dtype=np.int64)
    for row, text in enumerate(texts):
        ids = [word_id[word] for word in text.split()]
        X[row, max_len - len(ids):] = ids
    return X
