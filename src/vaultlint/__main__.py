"""The ``vaultlint`` command (and ``python -m vaultlint``).

It imports the command line with Python's cyclic garbage collector off: importing
creates tens of thousands of objects (classes, functions, compiled patterns) that
live until the process ends, and collections while they are created only walk them
again (3% of the instructions of importing it, which every pre-commit run pays).
The commands run without it anyway (``cli._guarded``).
"""

import gc


def main() -> None:
    gc.disable()
    from .cli import entry

    entry()


if __name__ == "__main__":
    main()
