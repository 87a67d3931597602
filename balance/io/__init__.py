"""读写 Reading, validating, storing and writing tables — no method logic.

* :mod:`~balance.io.reading` — CSV / Excel / ODS school tables → :class:`SchoolTable`;
* :mod:`~balance.io.validation` — the pandera schema and checks; :mod:`~balance.io.workbook` —
  workbooks measured before they are loaded;
* :mod:`~balance.io.store` — the Parquet store; :mod:`~balance.io.county_sheet` — the county sheet;
* :mod:`~balance.io.templates` — blank input forms; :mod:`~balance.io.files` — atomic writes;
* :mod:`~balance.io.export` — the result files of assess, evaluate, plan and equity.
"""
