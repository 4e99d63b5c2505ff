"""Interview practice: questions on training neural networks, each answered by a run.

One module per card in ``minnet.practice.cards``; ``loading`` finds them and
checks they are complete, ``claim`` holds their claims (each with a must-fail
twin), ``runner`` runs one, ``quiz`` and ``leitner`` drive ``minnet practice
quiz``, ``docs`` writes ``docs/practice-cards.md``, ``train`` and ``models``
are the small loops and nets the cards share.
"""
