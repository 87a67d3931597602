"""Fuzz suite of hostile and malformed input for the ``balance`` command line (issue 9).

``tests/fuzz/harness.py`` runs a command in a sandbox folder and checks what a careful user
expects of a refusal; ``tests/fuzz/test_fuzz_cli.py`` is the table of kinds.
"""
