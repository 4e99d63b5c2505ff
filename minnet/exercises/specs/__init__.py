"""One module per exercise: its cases, in ``SPEC`` (see ``minnet.exercises.spec``)."""
