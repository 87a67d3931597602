"""Reading the national education statistics' school workbooks into the school table (issue 15).

``balance import-stats FOLDER_OR_FILES --year Y --out 学校数据.xlsx [--forms auto|2018|2021|FILE.yaml]``

* :mod:`~balance.io.statsforms.mapping` — the mapping of a form generation (YAML in
  ``balance/data/statsforms/``, pydantic-validated): which table, row and column carries each input;
* :mod:`~balance.io.statsforms.forms` — recognising the generation, the tables, the school type;
* :mod:`~balance.io.statsforms.locate` — finding a value by row code / label and column number / header;
* :mod:`~balance.io.statsforms.extract` — one workbook → one school row with provenance (the result
  classes in :mod:`~balance.io.statsforms.school_import`, the school's identity in
  :mod:`~balance.io.statsforms.identity`);
* :mod:`~balance.io.statsforms.importer` — a folder of workbooks → :class:`ImportResult`;
* :mod:`~balance.io.statsforms.write` — the output workbook (学校基础数据, 待补充, 来源, 说明) and CSV;
* the command line handler is :mod:`balance.cli.statsforms`.
"""
from balance.io.statsforms.importer import ImportResult, import_statistics
from balance.io.statsforms.mapping import Mapping, all_mappings, load_mapping
from balance.io.statsforms.write import provenance_csv_path, write_import

__all__ = ["ImportResult", "Mapping", "all_mappings", "import_statistics", "load_mapping", "provenance_csv_path",
           "write_import"]
