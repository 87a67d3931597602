"""Parameters of one notebook run: one YAML file (UTF-8) per run, validated before anything executes.

A params file looks like::

    notebook: county_briefing      # county_briefing | county_trend | region_overview | explore
    data: data/demo/schools.csv    # relative to the repository root (the folder holding
                                   # pyproject.toml above the params file), else to the params
                                   # file's folder; or absolute
    county_code: "130102"          # 6 digits; needed by county_briefing and county_trend
    year: 2025                     # needed by county_briefing and region_overview
    standard: quality-2017         # optional: quality-2017 (default) | basic-2012 | path to YAML
    title: 长安区 2025 年义务教育优质均衡发展评估简报   # optional
    previous_year: 2024            # optional
    county_sheet: data/county.xlsx # optional: the four-area evaluation's county sheet (county
                                   # briefing, trend, region)
    target_year: 2027              # optional: county briefing — the plan's year-by-year schedule to it;
                                   # county_trend, region_overview — on course by then?
    sheet: 学校基础数据             # optional: the workbook's sheet holding the school table
                                   # (default: found as `balance validate` finds it)
    previous_ledger: 台账/2024/ledger.xlsx  # optional: last year's filled 整改台账 (county_briefing)
    county_briefings: ["130102"]   # optional (region_overview): only these counties' briefings are linked

Checks, each reported in Chinese and English through :class:`balance.errors.InputError`:

* :func:`load_params` — YAML syntax (with line), unknown keys, wrong types, missing keys the
  notebook needs, missing data / standard / county-sheet file, notebook not found;
* :func:`check_notebook_parameters` (:mod:`balance.running.notebook_params`) — every key of the
  file must be declared in the target notebook's ``parameters`` cell (papermill only warns about
  unknown parameters);
* :func:`check_against_data` (:mod:`balance.running.data_keys`) — county and year present in the
  school table.

:func:`notebook_parameters` turns a valid :class:`RunParams` into the plain values papermill
injects: absolute ``data`` path, ``output_dir`` (absolute folder for small results files such as
``results.json``) and the optional keys given.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from balance.errors import InputError, Problem

# checking against the notebook and the data live in their own modules; every old name stays importable here
from balance.running.data_keys import _light_keys, _norm_header, _read_keys_cached, check_against_data, read_data_keys  # noqa: F401
from balance.running.notebook_params import check_notebook_parameters, declared_parameters, notebook_parameters  # noqa: F401
from balance.running.notebooks import NOTEBOOKS as _REGISTRY  # noqa: E402,F401
from balance.running.notebooks import REQUIRED_KEYS, NotebookName
from balance.running.params_file import (  # noqa: F401 - their old home: params.<name>
    _SUMMARY,
    MAX_PARAMS_BYTES,
    _DuplicateKey,
    _key_lines,
    _msg_zh,
    _problem,
    _StrictLoader,
    _yaml_problem,
    read_mapping,
)

#: The notebook names (from the one registry, :data:`balance.running.notebooks.NOTEBOOKS`).
NOTEBOOKS: tuple[str, ...] = tuple(_REGISTRY)

#: Chinese names of the keys (for messages).
KEY_ZH = {
    "notebook": "笔记本", "data": "数据文件", "county_code": "县区代码", "year": "年份",
    "standard": "评估标准", "title": "标题", "county_sheet": "县级表", "previous_year": "对比年份",
    "sheet": "工作表", "target_year": "目标年份", "previous_ledger": "上年整改台账", "county_briefings": "已生成简报的县区",
}

#: Default folder of the notebooks: ``<repo>/notebooks`` next to the package.
from balance._resources import NOTEBOOKS_DIR as DEFAULT_NOTEBOOKS_DIR  # noqa: E402,F401 - kept for old imports; the folder a batch uses: balance._resources.notebooks_dir()


class RunParams(BaseModel):
    """One run's parameters (the YAML file's content, paths resolved to absolute)."""

    model_config = ConfigDict(extra="forbid", frozen=False)

    notebook: NotebookName
    data: Path
    county_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    year: int | None = Field(default=None, ge=1990, le=2100)
    standard: str = "quality-2017"
    title: str | None = None
    county_sheet: Path | None = None
    previous_year: int | None = Field(default=None, ge=1990, le=2100)
    target_year: int | None = Field(default=None, ge=1990, le=2100)
    sheet: str | None = Field(default=None, min_length=1)
    previous_ledger: Path | None = None
    county_briefings: list[Annotated[str, Field(pattern=r"^\d{6}$")]] | None = None

    _source: Path | None = PrivateAttr(default=None)

    @field_validator("county_code", mode="before")
    @classmethod
    def _code_as_text(cls, v: Any) -> Any:
        # ``county_code: 130102`` (unquoted) arrives as an int; Chinese county codes never start
        # with 0, so the text form is exact. Floats or other types are refused by the str check.
        if isinstance(v, int) and not isinstance(v, bool):
            return str(v)
        return v

    @field_validator("county_briefings", mode="before")
    @classmethod
    def _codes_as_text(cls, v: Any) -> Any:
        # ``county_briefings: [130102, 130103]`` (unquoted): each code as ``county_code`` takes it
        return [cls._code_as_text(c) for c in v] if isinstance(v, list) else v

    @field_validator("year", "previous_year", "target_year", mode="before")
    @classmethod
    def _strict_year(cls, v: Any) -> Any:
        if isinstance(v, bool) or isinstance(v, float):
            raise ValueError("year must be a whole number such as 2025")
        return v

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("title is empty")
        return v

    @model_validator(mode="after")
    def _required_for_notebook(self) -> "RunParams":
        missing = [k for k in REQUIRED_KEYS[self.notebook] if getattr(self, k) is None]
        if missing:
            raise ValueError(f"notebook {self.notebook} needs: {', '.join(missing)}")
        if self.previous_year is not None and self.year is not None and self.previous_year >= self.year:
            raise ValueError("previous_year must be before year")
        if self.target_year is not None and self.year is not None and self.target_year <= self.year:
            raise ValueError("target_year must be after year")
        return self

    @property
    def source(self) -> Path | None:
        """The params file this came from (``None`` when built in code)."""
        return self._source

    @property
    def run_name(self) -> str:
        """Name of the run: the params file's stem."""
        return self._source.stem if self._source else f"{self.notebook}_{self.county_code or ''}_{self.year or ''}".strip("_")

    def given_keys(self) -> set[str]:
        """Keys written in the file (not defaults)."""
        return set(self.model_fields_set)

    def standard_is_path(self) -> bool:
        return _looks_like_path(self.standard)


# --------------------------------------------------------------------------------------------
def find_repo_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``pyproject.toml``."""
    start = start.resolve()
    for d in [start, *start.parents]:
        if (d / "pyproject.toml").is_file():
            return d
    return None


def base_dir(params_path: Path) -> Path:
    """Folder relative paths in a params file are resolved against."""
    params_path = Path(params_path).resolve()
    return find_repo_root(params_path.parent) or params_path.parent


def _looks_like_path(s: str) -> bool:
    return s.lower().endswith((".yaml", ".yml")) or "/" in s or "\\" in s


def load_params(path: str | Path, notebooks_dir: str | Path | None = None) -> RunParams:
    """Read and validate one params YAML file.

    Relative paths (``data``, a ``standard`` given as a file, ``county_sheet``) are resolved as
    described in the module docstring and stored absolute. ``notebooks_dir`` (default
    ``<repo>/notebooks``) is where ``<notebook>.ipynb`` must exist.

    Raises
    ------
    InputError
        Every problem found, in Chinese and English.
    """
    path = Path(path)
    fname = str(path)
    raw, text = read_mapping(path, _SUMMARY)
    raw = {str(k): v for k, v in raw.items()}
    lines = _key_lines(text)

    try:
        params = RunParams.model_validate(raw)
    except ValidationError as exc:
        raise InputError(_validation_problems(exc, fname, raw, lines), *_SUMMARY) from None
    problems = _resolve_inputs(params, path, lines, notebooks_dir)
    if problems:
        raise InputError(problems, *_SUMMARY)
    return params


def _validation_problems(exc: ValidationError, fname: str, raw: dict, lines: dict[str, int]) -> list[Problem]:
    """pydantic's errors of a params file as problems: the key, its line, Chinese and English."""
    problems: list[Problem] = []
    for err in exc.errors():
        loc = [str(x) for x in err["loc"]]
        key = loc[0] if loc else None
        value = err.get("input")
        value = None if isinstance(value, (dict, list)) or err["type"] == "missing" else value
        row = lines.get(key) if key else None
        kzh = KEY_ZH.get(key or "", key or "")
        if err["type"] == "extra_forbidden":
            zh = f"未知的参数“{key}”（可用：{', '.join(RunParams.model_fields)}）"
            en = f"unknown key '{key}' (allowed: {', '.join(RunParams.model_fields)})"
            code = "unknown_key"
        elif err["type"] == "missing":
            zh, en, code = f"缺少必填参数“{key}”（{kzh}）", f"missing required key '{key}'", "missing_key"
        elif err["type"] == "literal_error":
            zh = f"笔记本名称无效，应为：{', '.join(NOTEBOOKS)}"
            en = f"invalid notebook name, expected one of: {', '.join(NOTEBOOKS)}"
            code = "unknown_notebook"
        elif key == "county_code":
            zh, en, code = "县区代码应为 6 位数字（如 \"130102\"）", "county_code must be 6 digits (e.g. \"130102\")", "wrong_type"
        elif not key:  # model-level rule
            msg = err["msg"].removeprefix("Value error, ")
            if msg.startswith("notebook"):
                need = msg.split(": ", 1)[1]
                zh = f"笔记本 {params_name(raw)} 需要参数：{need}"
            else:
                zh = ("对比年份应早于年份" if "previous_year" in msg else
                      "目标年份应晚于年份" if "target_year" in msg else msg)
            zh, en, code = zh, msg, "missing_key" if msg.startswith("notebook") else "invalid_value"
        else:
            msg = err["msg"].removeprefix("Value error, ")
            zh = f"参数“{key}”（{kzh}）类型或取值错误：{_msg_zh(err)}"
            en = f"key '{key}' has a wrong type or value: {msg}"
            code = "wrong_type"
        problems.append(_problem(fname, zh, en, code=code, column=key, value=value, row=row))
    return problems


def _resolve_inputs(params: RunParams, path: Path, lines: dict[str, int], notebooks_dir) -> list[Problem]:
    """Make the params' paths absolute (relative to :func:`base_dir`) and check that the files
    they name exist; the problems found (empty: all there)."""
    fname = str(path)
    problems: list[Problem] = []
    params._source = path.resolve()
    root = base_dir(path)

    def resolve(p: Path) -> Path:
        p = Path(p).expanduser()
        return (p if p.is_absolute() else root / p).resolve()

    params.data = resolve(params.data)
    if not (params.data.is_file() or params.data.is_dir()):  # a folder = a Parquet store (balance ingest)
        problems.append(_problem(fname, f"找不到数据文件：{params.data}", f"data file not found: {params.data}",
                                 code="data_not_found", column="data", value=params.data, row=lines.get("data")))
    for key, zh, en in (("county_sheet", "县级表", "county sheet"), ("previous_ledger", "上年整改台账", "previous ledger")):
        if getattr(params, key) is not None:  # optional input files: resolved, and they must exist
            setattr(params, key, f := resolve(getattr(params, key)))
            if not f.is_file():
                problems.append(_problem(fname, f"找不到{zh}：{f}", f"{en} not found: {f}", code=f"{key}_not_found",
                                         column=key, value=f, row=lines.get(key)))
    if params.standard_is_path():
        std = resolve(Path(params.standard))
        params.standard = str(std)
        if not std.is_file():
            problems.append(_problem(fname, f"找不到评估标准文件：{std}", f"standard file not found: {std}",
                                     code="standard_not_found", column="standard", value=std, row=lines.get("standard")))
    else:
        builtin = _builtin_standards()
        if builtin and params.standard not in builtin:
            problems.append(_problem(fname, f"未知的评估标准“{params.standard}”（内置：{', '.join(builtin)}；或给出 YAML 文件路径）",
                                     f"unknown standard '{params.standard}' (built-in: {', '.join(builtin)}; or a YAML file path)",
                                     code="unknown_standard", column="standard", value=params.standard,
                                     row=lines.get("standard")))
    nb = notebook_path(params, notebooks_dir)
    if not nb.is_file():
        problems.append(_problem(fname, f"找不到笔记本：{nb}", f"notebook not found: {nb}", code="notebook_not_found",
                                 column="notebook", value=params.notebook, row=lines.get("notebook")))
    return problems


def input_paths(path: str | Path) -> list[Path]:
    """Best effort, never raises: the files a params file names (``data``, ``county_sheet``, a
    ``standard`` given as a path), resolved as :func:`load_params` does — also when the file is
    invalid, so that the batch can keep its deletes away from them."""
    try:
        path = Path(path)
        if not path.is_file() or path.stat().st_size > MAX_PARAMS_BYTES:
            return []
        raw = yaml.load(path.read_bytes().decode("utf-8", "replace"), Loader=_StrictLoader)  # noqa: S506
    except Exception:  # noqa: BLE001
        return []
    if not isinstance(raw, dict):
        return []
    root = base_dir(path)
    out = []
    for key in ("data", "county_sheet", "standard", "previous_ledger"):
        v = raw.get(key)
        if isinstance(v, str) and v.strip() and (key != "standard" or _looks_like_path(v)):
            try:
                q = Path(v).expanduser()
                out.append((q if q.is_absolute() else root / q).resolve())
            except (OSError, RuntimeError, ValueError):
                continue
    return out


def params_name(raw: dict) -> str:
    return str(raw.get("notebook", ""))


def _builtin_standards() -> list[str]:
    try:
        from balance.method.standards import builtin_standards
    except ImportError:  # pragma: no cover
        return []
    return builtin_standards()


def notebook_path(params: RunParams, notebooks_dir: str | Path | None = None) -> Path:
    """``<notebooks_dir>/<notebook>.ipynb``."""
    from balance._resources import notebooks_dir as default_dir

    return Path(notebooks_dir or default_dir()).resolve() / f"{params.notebook}.ipynb"


# --------------------------------------------------------------------------------------------
def validate_run(path: str | Path, notebooks_dir: str | Path | None = None) -> tuple[RunParams, dict]:
    """All checks for one run: file, notebook parameters, data. Returns the params and the
    notebook's declared parameters."""
    params = load_params(path, notebooks_dir)
    declared = declared_parameters(notebook_path(params, notebooks_dir))
    check_notebook_parameters(params, declared, notebook_path(params, notebooks_dir))
    if params.notebook != "explore" or params.county_code or params.year:
        check_against_data(params, read_data_keys(params.data, params.sheet))
    return params, declared


def error_line(exc: BaseException) -> str:
    """One line for the manifest's ``error`` column."""
    if isinstance(exc, InputError):
        parts = []
        for p in exc.errors or exc.problems:
            where = f"第 {p.row} 行 / line {p.row}: " if p.row else ""
            parts.append(f"{where}{p.problem_zh} / {p.problem_en}")
        return " ; ".join(parts).replace("\n", " ")
    return f"{type(exc).__name__}: {exc}".replace("\n", " ")
