"""Library calls leave the process alone (issue 10): ``assess_schools`` used to retune the
process-wide memory allocator (glibc ``mallopt``, Arrow's pool) for large tables, so a
researcher's notebook changed allocator as a side effect. Now only the command line does
(``balance.cli._args.tune_for``); researchers call ``balance.tune_memory()`` themselves."""
from __future__ import annotations

import pytest

import balance
from balance.method.standards import load_standard
from tests.factories import junior, table


def test_assess_schools_never_tunes_memory(monkeypatch):
    from balance.method import assessment

    def must_not_run():
        raise AssertionError("assess_schools changed process-wide allocator settings")

    monkeypatch.setattr("balance._fast.tune_memory", must_not_run)
    monkeypatch.setattr(assessment, "LARGE_TABLE", 0)  # every table counts as large
    a = assessment.assess_schools(table(junior("1", 400), junior("2", 300)), load_standard("quality-2017"))
    assert len(a.verdicts) == 1


def test_the_command_line_tunes_large_tables_only(monkeypatch):
    from balance.cli._args import tune_for

    calls = []
    monkeypatch.setattr("balance._fast.tune_memory", lambda: calls.append(1))
    tune_for(10)
    assert calls == []
    monkeypatch.setattr("balance.method.assessment.LARGE_TABLE", 5)
    tune_for(10)
    assert calls == [1]


def test_tune_memory_is_offered_at_the_top():
    from balance._fast import tune_memory

    assert balance.tune_memory is tune_memory
    with pytest.raises(AttributeError):
        balance.no_such_name  # noqa: B018
