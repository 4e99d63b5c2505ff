"""Constructor arguments checked against the signature, in the public class's name.

``RNN``, ``LSTM`` and ``GRU`` share ``_Recurrent.__init__``; Python's own error
for ``LSTM(3, 4, foo=1)`` names that private class
(``_Recurrent.__init__() got an unexpected keyword argument 'foo'``). Module
wraps every ``__init__`` with ``checked_init``: the outermost call (the one
for the class being built) binds the arguments to the signature first and
turns a mismatch into an ArgumentError that names the class the user wrote,
lists what it accepts and suggests the closest name for a typo::

    LeakyReLU: unknown argument 'slope'; did you mean 'negative_slope'? accepted: negative_slope

A signature with ``**kwargs`` accepts any keyword, so a subclass that passes
its keywords on to a parent is not second-guessed.
"""

import difflib
import functools
import inspect

from minnet.errors import ArgumentError


def checked_init(init):
    """Wrap ``init`` (an ``__init__``) so that the outermost call checks its arguments.

    The wrapper keeps ``init``'s name, docstring and signature (``inspect``
    follows ``__wrapped__``); copies and unpickling do not call ``__init__`` and
    are untouched. Only construction pays for the check, never a forward pass.
    """
    if getattr(init, "_minnet_checked", False):
        return init
    spec = None

    @functools.wraps(init)
    def wrapper(self, *args, **kwargs):
        nonlocal spec
        # Only the class being built checks: a parent's __init__ reached through
        # super().__init__(...) gets arguments its subclass chose, not the user's.
        if type(self).__init__ is wrapper:
            if spec is None:
                spec = _Spec(inspect.signature(init))
            spec.check(type(self).__name__, (self, *args), kwargs)
        return init(self, *args, **kwargs)

    wrapper._minnet_checked = True
    return wrapper


class _Spec:
    """What a signature accepts, worked out once per ``__init__``."""

    def __init__(self, signature):
        self.signature = signature
        parameters = list(signature.parameters.values())[1:]  # not self
        kinds = {p.kind for p in parameters}
        self.any_keyword = inspect.Parameter.VAR_KEYWORD in kinds
        self.keywords = [p.name for p in parameters
                         if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        named = [p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        self.accepted = "accepted: " + (", ".join(named) if named else "no arguments")

    def check(self, owner, args, kwargs):
        """Raise ArgumentError unless the signature accepts ``args`` (self first) and
        ``kwargs``."""
        if not self.any_keyword:
            for name in kwargs:
                if name not in self.keywords:
                    suggestion = suggest(name, self.keywords)
                    hint = f"did you mean {suggestion!r}? " if suggestion else ""
                    raise ArgumentError(f"{owner}: unknown argument {name!r}; {hint}"
                                        f"{self.accepted}")
        try:
            self.signature.bind(*args, **kwargs)
        except TypeError as error:
            raise ArgumentError(f"{owner}: {error}; {self.accepted}") from None


class CheckedArguments:
    """Mixin: the ``__init__`` of every subclass checks its arguments (``checked_init``).

    For the public classes that are not Modules (losses, optimizers,
    schedules): ``SGD(params, lr=0.1, foo=1)`` raises an ArgumentError naming
    SGD, as ``Linear(2, 3, foo=1)`` does, instead of Python's raw TypeError.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:  # errors name this class, not a private parent
            cls.__init__ = checked_init(cls.__dict__["__init__"])


def suggest(name, candidates):
    """The candidate closest to ``name`` (a typo, or a part of it), or None."""
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if close:
        return close[0]
    # 'slope' for 'negative_slope': too short for difflib's ratio, plainly meant.
    containing = [candidate for candidate in candidates
                  if min(len(name), len(candidate)) >= 3
                  and (name in candidate or candidate in name)]  # never 'p' for 'inplace'
    return containing[0] if len(containing) == 1 else None
