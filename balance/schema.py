"""The school table's columns as data (``balance/data/columns.yaml``), loaded once.

Canonical snake_case names are used inside the code; Chinese headers at the edges.
"""
from __future__ import annotations

from functools import lru_cache

import yaml

from balance._resources import DATA_DIR  # noqa: E402

COLUMNS_FILE = DATA_DIR / "columns.yaml"
LABELS_FILE = DATA_DIR / "labels.yaml"


@lru_cache(maxsize=1)
def column_spec() -> dict:
    """The parsed ``columns.yaml``."""
    return yaml.safe_load(COLUMNS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def labels() -> dict:
    """Chinese labels for output columns (``labels.yaml``)."""
    return yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))


_spec = column_spec()
COLUMNS: list[dict] = _spec["columns"]
HEADERS: dict[str, str] = {c["name"]: c["header"] for c in COLUMNS}
REQUIRED: list[str] = [c["name"] for c in COLUMNS if c.get("required")]
STAGE_COLUMNS: dict[str, dict[str, str]] = _spec["stage_columns"]
SCHOOL_TYPE_STAGES: dict[str, list[str]] = _spec["school_type_stages"]
FACILITY_COLUMNS: tuple[str, ...] = tuple(_spec["facility_columns"])
ALL_STAGES: tuple[str, ...] = ("小学", "初中", "高中")


def input_header(field: str, stage: str) -> str:
    """The Chinese input header that holds ``field`` for a section of ``stage``.

    ``input_header("qualified_teachers", "初中") == "初中本科及以上学历专任教师数"``;
    facility fields are school-level: ``input_header("teaching_area", "小学") == "教学及辅助用房面积(㎡)"``.
    """
    name = STAGE_COLUMNS.get(stage, {}).get(field, field)
    return HEADERS.get(name, name)
