"""Known wrong answers, one module per exercise: ``MUTANTS = {mistake id: {name: function}}``.

Each mutant is a complete solution with exactly one listed mistake
(docs/exercises.md lists them), written the way a student would write it. The
checker names a mistake when a solution behaves like its mutant; CI proves
that every mutant fails the check and is named by its own id. Publishing
wrong answers gives nothing away.
"""
