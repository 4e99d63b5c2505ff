"""Readable references for the exercises that have no ``minnet.functional`` pair.

Each is composed from minnet's own functions or mirrors one of its classes
(``minnet.optim``); tests/exercises/test_solutions.py proves they agree.
"""
