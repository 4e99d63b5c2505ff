"""The ``minnet`` command (placeholder until the CLI lands)."""


def main(argv=None):
    return 0
