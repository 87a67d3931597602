"""Validation of the school table: every problem collected, reported in Chinese and English.

:func:`validate_school_rows` takes the text cells of a school table (as read by
:mod:`balance.io.reading`, already mapped to canonical column names) and returns the typed
canonical table plus a list of :class:`~balance.errors.Problem` records — *all* errors and
warnings, never just the first. Nothing is raised here; :func:`balance.io.reading.load_school_table`
raises :class:`~balance.errors.InputError` when any error is present.

What is checked (message texts and thresholds: ``balance/data/messages.yaml``):

* cells: blank required cells, non-numeric numbers (dates and non-finite values such as ``inf``,
  ``nan``, ``1e309`` named as such), negative counts / areas / money, non-integer counts, numbers
  above a column's plausible bound (``max`` in ``columns.yaml``: nothing can wrap around int64 or
  make a school vanish), formula cells without a cached value, free-text names (``is_name``) that
  begin with ``=`` ``+`` ``-`` ``@``, hold control characters or are too long (``name_rules``), a
  year outside 1949–2100, a value outside a column's ``range`` (建成年份: 1900 to the
  row's 年份), county codes other than 6 digits and school codes other than 10 digits (non-digit
  characters, lost leading zeros, codes stored as numbers in Excel), unknown 学校类型 / 办学性质 /
  城乡类型 values (after the ``value_aliases`` of ``columns.yaml``);
* rows: subset counts larger than their totals (``subsets``, e.g. 超标班额班数 ≤ 班数), pupils /
  classes / teachers (or a largest class) in a stage the school type does not have
  (``school_type_stages``);
* across rows: a school code twice in one year (one line per code and year, naming up to
  :data:`MAX_ROWS_LISTED` of its rows), one county code with two county names in one year;
* warnings: stages with pupils but no teachers or no classes, teachers but no pupils, schools with
  no pupils at all, a stage of the school's type without pupils (it forms no section: on record), implausible per-pupil values, class sizes and pupil–teacher ratios, a largest
  class (最大班额) above the plausible limit or below the stage's average class.

Per-column checks run through a pandera schema built from ``columns.yaml`` (``lazy=True``); its
``failure_cases`` are turned into Problems here (pandera's own text escapes Chinese). Cross-column
checks are plain vectorised pandas. Problems are capped at :data:`MAX_PER_KIND` per
(kind, column), followed by a summary line "… and N more".

Blank cells of a stage the school's type does not have (e.g. 高中在校生数 of a 小学) are read as 0:
exports commonly leave them empty. Every other blank required cell is an error.

Optional columns (``required: false``: 乡镇 and the columns of the four-area evaluation such as
音乐专用教室数, 小学最大班额, 建成年份) may be left out of the file or left blank: a blank cell is
*missing* (NA — neither an error nor 0) and an absent column is all-missing. Their numbers are
nullable in the canonical table (``Int64`` for counts and years, ``float64`` with NaN for areas);
values that are present get the same checks as the required columns.
"""
from __future__ import annotations

from balance.io.validation.checks import (  # noqa: F401
                                        _OPTIONAL_STAGE_COLUMNS,
                                        _UNITS,
                                        MAX_ROWS_LISTED,
                                        _check_county_names,
                                        _check_ranges,
                                        _check_stages,
                                        _check_subsets,
                                        _check_wan_yuan,
                                        _class_size_warnings,
                                        _fmt_num,
                                        _report_duplicates,
                                        _row_list,
                                        _warnings,
)
from balance.io.validation.parsing import (  # noqa: F401
                                        _CONTROL,
                                        _INT_FLOAT,
                                        _THOUSANDS,
                                        _WS,
                                        _digits,
                                        _is_whole,
                                        _length_check,
                                        _normalize_category,
                                        _stage_offered,
                                        _strip,
                                        _to_number,
                                        _year_ok,
                                        name_problems,
                                        school_schema,
)
from balance.io.validation.rows import (  # noqa: F401
                                        _DATE,
                                        _NAN,
                                        _canonical,
                                        _report_not_numbers,
                                        _run_schema,
                                        _year_fields,
                                        validate_school_rows,
)

# a package since the split of issue 10 (texts, parsing and schema, checks, the entry point)
from balance.io.validation.texts import (  # noqa: F401
                                        _DEFAULT_MESSAGES,
                                        COLS,
                                        MAX_PER_KIND,
                                        MAX_VALUE_SHOWN,
                                        MESSAGES_FILE,
                                        NUMERIC_KINDS,
                                        RawTable,
                                        _Collector,
                                        _hidden_chars,
                                        message,
                                        messages,
                                        name_rules,
                                        shown_value,
)

__all__ = ["RawTable", "validate_school_rows", "message", "messages", "shown_value", "name_rules",
           "name_problems", "school_schema", "MAX_PER_KIND", "MAX_ROWS_LISTED", "MAX_VALUE_SHOWN"]
