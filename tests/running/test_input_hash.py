"""The skip-if-unchanged hash covers everything that shapes a briefing (issue 10).

The hash used to name ``html.py`` only, so an edited figure or sentence (``plotting``, ``briefing``,
``display``) left a stale briefing marked unchanged. It now digests every file under
``balance/reporting/`` and ``balance/templates/``; these tests edit a copy of the package.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import balance
from balance.running import manifest


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    src = Path(balance.__file__).parent
    dst = tmp_path / "balance"
    shutil.copytree(src / "reporting", dst / "reporting", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(src / "templates", dst / "templates")
    monkeypatch.setattr("balance._resources.PACKAGE_DIR", dst)
    return dst


@pytest.mark.parametrize("rel", ["reporting/plotting/county.py", "reporting/briefing/county.py",
                                 "reporting/display.py", "reporting/narrative.py",
                                 "templates/briefing/static/briefing.css"])
def test_editing_what_shapes_a_briefing_changes_the_hash(package_copy, rel):
    before = manifest._template_digest()
    f = package_copy / rel
    f.write_bytes(f.read_bytes() + b"\n# edited\n")
    assert manifest._template_digest() != before


def test_a_new_reporting_module_changes_the_hash(package_copy):
    before = manifest._template_digest()
    (package_copy / "reporting" / "new_section.py").write_text("X = 1\n", encoding="utf-8")
    assert manifest._template_digest() != before


def test_caches_do_not_change_the_hash(package_copy):
    before = manifest._template_digest()
    cache = package_copy / "reporting" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "display.cpython-311.pyc").write_bytes(b"\0junk")
    assert manifest._template_digest() == before

