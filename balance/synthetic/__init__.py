"""模拟数据 Fictional data only: the 示例市 demo prefecture and the national panel.

The defaults of ``balance demo-data`` live here (not in :mod:`~balance.synthetic.demo`) so that the
command line can show them without importing pandas.
"""
#: Seed of the bundled demo data (``data/demo/`` is byte-deterministic for this seed).
DEFAULT_SEED = 2026
#: Years of the bundled demo data.
DEFAULT_YEARS = (2021, 2022, 2023, 2024, 2025)
