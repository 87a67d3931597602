"""The ledger's files moved to balance.analysis.ledger_file (issue 10, function-length split): every
name users and the CLI import from balance.analysis.ledger is still there and is the same object."""
import balance.analysis.ledger as ledger
import balance.analysis.ledger_file as ledger_file


def test_old_import_path_keeps_every_file_name():
    for name in ("COLUMNS", "FILLED", "LEDGER_SHEET", "MAX_TEXT", "parse_deadline", "read_previous_ledger",
                 "write_ledger"):
        assert getattr(ledger, name) is getattr(ledger_file, name), name
        assert name in ledger.__all__


def test_ledger_file_does_not_import_the_builder():
    # ledger imports ledger_file; the reverse would be an import cycle
    src = open(ledger_file.__file__, encoding="utf-8").read()
    assert "from balance.analysis.ledger import" not in src and "import balance.analysis.ledger\n" not in src
