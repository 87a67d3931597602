"""Edges of balance/analysis/inequality/table.py that mutation round 5 showed no test was
watching (docs/mutation/round5-inequality.md); each test names the mutants it kills and was
checked to fail on them."""
import math

import pandas as pd
import pytest

from balance.analysis.inequality import MEASURES, InequalityInputError, inequality_table

ZERO_PUPILS = "已忽略1个学生数为0的单位 / units with 0 pupils ignored: 1; 无有效数据 / no valid rows"


def test_a_table_where_no_row_has_pupils_gives_nan_rows_with_notes_not_an_error():
    """With a partition column and every row at 0 pupils nothing is left to decompose: the table
    still has one row per group, every measure NaN and the notes say why (kills
    ``K = … if sub.size else 1`` → ``if sub.size or True``, which takes the max of an empty
    array and raises)."""
    df = pd.DataFrame({"stage": ["小学", "初中"], "value": [1.0, 2.0], "students": [0, 0],
                       "urban_rural": ["城区", "乡村"]})
    t = inequality_table(df, by="stage", group="urban_rural")
    assert t["stage"].tolist() == ["初中", "小学"] and t["n"].tolist() == [0, 0]
    cols = [*MEASURES, "theil_t_between", "theil_t_within", "theil_l_between_share"]
    assert all(math.isnan(v) for v in t[cols].to_numpy().ravel())
    assert t["notes"].tolist() == [ZERO_PUPILS, ZERO_PUPILS]


def _share_note(m):
    return f"{m}_between_share：总差异为0，占比无定义 / share undefined, total is 0"


def test_decomposition_shares_and_the_total_zero_notes_of_the_table():
    """County A has equal values (no inequality): both shares are undefined, NaN, with one note
    each, in the order theil_t, theil_l. County B is the hand case of test_inequality.py, x = (1, 2,
    3), w = (1, 1, 2), partition (a, a, b): between_T = ½(1.5/2.25)ln(1.5/2.25) + ½(3/2.25)ln(3/2.25),
    T = ¼ r₁ln r₁ + ¼ r₂ln r₂ + ½ r₃ln r₃ (r = x/2.25), share = between/T, and no note. With only one
    of the two measures chosen only its note is written. Kills, in _decompose: the note's condition
    (``None``, ``good | …``, ``T != 0``, ``T == 1``), its text (``None``, ``m=None``) and the
    ``"theil_t" in chosen`` test (``XX…XX``, upper case, ``not in``), and the same for theil_l."""
    df = pd.DataFrame({"county": ["A", "A", "B", "B", "B"], "value": [2.0, 2.0, 1.0, 2.0, 3.0],
                       "students": [5, 7, 1, 1, 2], "ur": ["城区", "乡村", "a", "a", "b"]})
    t = inequality_table(df, by="county", group="ur").set_index("county")
    a, b = t.loc["A"], t.loc["B"]
    assert (a["theil_t"], a["theil_t_between"], a["theil_t_within"]) == (0.0, 0.0, 0.0)
    assert math.isnan(a["theil_t_between_share"]) and math.isnan(a["theil_l_between_share"])
    assert a["notes"] == _share_note("theil_t") + "; " + _share_note("theil_l")
    r = [v / 2.25 for v in (1.0, 2.0, 3.0)]
    total = 0.25 * r[0] * math.log(r[0]) + 0.25 * r[1] * math.log(r[1]) + 0.5 * r[2] * math.log(r[2])
    between = 0.5 * (1.5 / 2.25) * math.log(1.5 / 2.25) + 0.5 * (3 / 2.25) * math.log(3 / 2.25)
    assert b["theil_t"] == pytest.approx(total, rel=1e-12)
    assert b["theil_t_between_share"] == pytest.approx(between / total, rel=1e-12)
    assert b["notes"] == ""
    for m in ("theil_t", "theil_l"):
        one = inequality_table(df, by="county", group="ur", measures=[m]).set_index("county")
        assert one.loc["A", "notes"] == _share_note(m) and one.loc["B", "notes"] == ""
    assert inequality_table(df, by="county", group="ur", measures=["gini"])["notes"].tolist() == ["", ""]


# ---- round 6 (docs/mutation/round6-inequality.md): the functions round 5 did not reach --------

_TWO = pd.DataFrame({"county": ["A", "A", "B"], "value": [1.0, 3.0, 2.0], "students": [1, 1, 1],
                     "ur": ["城区", "乡村", "城区"]})


def _refusal(**kw):
    with pytest.raises(InequalityInputError) as ei:
        inequality_table(_TWO, by="county", **kw)
    return str(ei.value)


def test_the_option_refusals_of_the_table_are_exact_in_both_languages():
    """Each refusal names the parameter or column in both languages. Kills, in _checked_options,
    ``_check_policy(nan, …, "nan")`` → ``None`` / ``"XXnanXX"`` / ``"NAN"``, the two texts of the
    zeros message → ``None``, the Chinese text of the missing-column message → ``None``; in
    _options the Chinese text of the unknown-measure message → ``None``."""
    assert _refusal(nan="drop") == ("参数 nan 只能取 ('raise', 'omit')，收到 'drop' / "
                                    "nan must be one of ('raise', 'omit'), got 'drop'")
    assert _refusal(zeros="raise") == ("inequality_table 的 zeros 只能取 'nan' 或 'omit'，收到 'raise' / "
                                       "zeros must be 'nan' or 'omit' for inequality_table, got 'raise'")
    assert _refusal(value="wert") == "表中缺少列 ['wert'] / missing column(s) ['wert']"
    listed = list(MEASURES)
    assert _refusal(measures=["gni"]) == (f"未知的指标 ['gni']；可选 {listed} / "
                                          f"unknown measure(s) ['gni']; choose from {listed}")


def test_a_missing_weight_or_partition_column_is_refused_with_its_name():
    """The weight column and the partition column are checked like the others: a bilingual
    refusal naming the column, not a KeyError from deep inside (kills, in _checked_options,
    ``[weight] if weight is not None`` → ``… and False`` and ``[group] if group`` → ``… and False``;
    in inequality_table ``_checked_options(…, weight→None, …)`` and ``(…, group→None, …)``)."""
    assert _refusal(weight="pupils") == "表中缺少列 ['pupils'] / missing column(s) ['pupils']"
    assert _refusal(group="urban_rural") == "表中缺少列 ['urban_rural'] / missing column(s) ['urban_rural']"


def test_without_keys_the_table_is_one_row_and_without_a_partition_no_share_notes():
    """``by=None``: the whole table is one group, one row (kills ``pd.DataFrame(index=range(1))`` →
    ``range(2)`` in _group_codes, which adds an empty second row). Equal values have no inequality;
    without a partition there are no between shares, so no "share undefined" note (kills ``sc if
    group else None`` → ``if group or True`` in inequality_table, which decomposes anyway and writes
    the theil_t / theil_l share notes)."""
    df = pd.DataFrame({"value": [2.0, 2.0, 2.0], "students": [1, 4, 2]})
    t = inequality_table(df, by=None)
    assert len(t) == 1 and t["n"].tolist() == [3] and t["students"].tolist() == [7]
    assert t["gini"].tolist() == [0.0] and t["theil_t"].tolist() == [0.0]
    assert t["notes"].tolist() == [""]


def test_a_missing_key_forms_its_own_group():
    """As the docstring says, rows whose key is missing form their own group, listed last (kills
    ``dropna=False`` → dropped / ``True`` in _group_codes: pandas then gives those rows group -1).
    Hand: county A has values 1, 3 (mean 2), the keyless group the value 5."""
    df = pd.DataFrame({"county": ["A", None, "A"], "value": [1.0, 5.0, 3.0], "students": [1, 1, 1]})
    t = inequality_table(df, by="county", measures=["gini"])
    assert t["county"].iloc[0] == "A" and pd.isna(t["county"].iloc[1]) and len(t) == 2
    assert t["n"].tolist() == [2, 1] and t["mean"].tolist() == [2.0, 5.0]
    assert t["gini"].iloc[0] == pytest.approx(0.25, rel=1e-12)  # hand: Σᵢⱼ|xᵢ − xⱼ| / (2n²μ) = 4 / 16


def test_categorical_keys_with_unused_categories_keep_the_rows_and_their_labels():
    """A categorical key with an unused category: one row per combination that occurs, each with
    its own numbers (kills ``observed=True`` → ``None`` / ``False`` in _group_codes: pandas then
    lists every category combination as a key while the row codes count only the observed ones,
    so the numbers land under the wrong labels). Hand: (x, 初中) values 1, 3 → mean 2; (x, 小学)
    value 4; (y, 初中) value 6."""
    df = pd.DataFrame({"county": pd.Categorical(["x", "x", "y", "x"], categories=["x", "y", "z"]),
                       "stage": ["初中", "初中", "初中", "小学"], "value": [1.0, 3.0, 6.0, 4.0],
                       "students": [1, 1, 1, 1]})
    t = inequality_table(df, by=["county", "stage"], measures=["gini"])
    assert [(str(c), s) for c, s in zip(t["county"], t["stage"])] == [("x", "初中"), ("x", "小学"), ("y", "初中")]
    assert t["mean"].tolist() == [2.0, 4.0, 6.0] and t["n"].tolist() == [2, 1, 1]


def test_the_missing_value_refusal_names_the_groups():
    """With ``nan="raise"`` the refusal names up to three groups that hold a missing value (kills
    ``_valid_rows(…, bool(by), …)`` → ``None`` and ``bool(None)`` in inequality_table, which drop
    the example)."""
    df = _TWO.assign(value=[1.0, 3.0, float("nan")])
    with pytest.raises(InequalityInputError) as ei:
        inequality_table(df, by="county")
    assert str(ei.value) == ("有 1 行缺失数值/学生数/分组（例如 [{'county': 'B'}]）；如需剔除请用 nan='omit' / "
                             "rows with a missing value/weight/group: 1 (e.g. [{'county': 'B'}]); "
                             "pass nan='omit' to drop them")


def test_quantile_ties_of_the_table_by_hand():
    """The grouped quantiles where the weighted ECDF hits q exactly (unit weights; numpy.quantile
    with the same ``method`` gives the same numbers). A = (1, 2, 3, 4): median (2 + 3)/2 = 2.5
    (averaged inverted CDF), McLoone (1 + 2)/(2·2.5) = 0.6, Verstegen (3 + 4)/(2·2.5) = 1.4.
    B = (1, 3): median 2, McLoone 1/2, Verstegen 3/2. C = (1, …, 20): P5 = 1 and P95 = 19 (inverted
    CDF: the ECDF is k/20 and 1/20, 19/20 are exactly 0.05, 0.95 in floating point), federal range
    ratio (19 − 1)/1 = 18; median 10.5. Kills, in _grouped_quantile, ``cdf < q`` → ``<=``, the
    averaged branch ``method == …`` → ``!=`` / XX / upper case, ``cnt < n - 1`` → ``< n - 2``,
    ``exact[hi] = None``, ``out[exact] = None`` and the four arithmetic mutants of the average
    (``* 2.0``, ``-``, ``idx - 1``, ``/ 3.0``)."""
    df = pd.DataFrame({"g": ["A"] * 4 + ["B"] * 2 + ["C"] * 20,
                       "value": [1.0, 2.0, 3.0, 4.0, 1.0, 3.0, *range(1, 21)]})
    t = inequality_table(df, weight=None, by="g").set_index("g")
    assert t.loc["A", "mcloone"] == pytest.approx(0.6, rel=1e-12)
    assert t.loc["A", "verstegen"] == pytest.approx(1.4, rel=1e-12)
    assert t.loc["B", "mcloone"] == pytest.approx(0.5, rel=1e-12)
    assert t.loc["B", "verstegen"] == pytest.approx(1.5, rel=1e-12)
    assert t.loc["C", "federal_range_ratio"] == pytest.approx(18.0, rel=1e-12)
    below = sum(range(1, 11))  # 1..10 are at or below the median 10.5
    assert t.loc["C", "mcloone"] == pytest.approx(below / (10 * 10.5), rel=1e-12)


def test_integer_columns_give_the_same_table_as_float_columns():
    """Counts (teachers, rooms) come as integer columns; they are read as float64 (kills
    ``to_numpy(dtype="float64", …)`` → ``dtype=None`` / dropped for the value column in
    _valid_rows: an integer value array makes the Theil T kernel ``np.zeros_like(x)`` integer and
    truncates r·ln r)."""
    ints = pd.DataFrame({"g": ["A", "A", "A", "B", "B"], "value": [1, 2, 7, 3, 5], "students": [3, 1, 2, 1, 1]})
    floats = ints.astype({"value": "float64", "students": "float64"})
    a, b = inequality_table(ints, by="g"), inequality_table(floats, by="g")
    for m in MEASURES:
        assert a[m].to_numpy() == pytest.approx(b[m].to_numpy(), rel=1e-12, nan_ok=True), m


def test_a_missing_partition_label_or_weight_is_a_missing_row():
    """A row without its partition label, or with a missing pupil count, is a missing row: refused
    under ``nan="raise"``, dropped with a note under ``nan="omit"`` (kills, in _valid_rows,
    ``factorize(use_na_sentinel=True)`` → ``None`` / ``False``, which makes the missing label a
    partition of its own, and ``isnan(x) | isnan(w) | sub_missing`` → ``… | isnan(w) &
    sub_missing``, which lets a missing weight with a label through to be dropped silently)."""
    for df in (_TWO.assign(ur=["城区", None, "城区"]), _TWO.assign(students=[1.0, float("nan"), 1.0])):
        with pytest.raises(InequalityInputError, match="rows with a missing value/weight/group: 1"):
            inequality_table(df, by="county", group="ur")
        t = inequality_table(df, by="county", group="ur", nan="omit", measures=["gini"])
        assert t["notes"].tolist() == ["已剔除1个缺失值 / rows with missing values omitted: 1", ""]
        assert t["n"].tolist() == [1, 1]


def test_the_missing_value_refusal_lists_at_most_three_groups_and_none_without_keys():
    """The example in the refusal lists at most three groups (kills ``[:3]`` → ``[:4]``) and is an
    empty list when the table has no keys (kills ``… if keyed else []`` → ``if keyed or True``,
    which lists ``[{}]``)."""
    df = pd.DataFrame({"county": list("ABCD"), "value": [float("nan")] * 4, "students": [1] * 4})
    with pytest.raises(InequalityInputError) as ei:
        inequality_table(df, by="county")
    ex = "[{'county': 'A'}, {'county': 'B'}, {'county': 'C'}]"
    assert str(ei.value) == (f"有 4 行缺失数值/学生数/分组（例如 {ex}）；如需剔除请用 nan='omit' / "
                             f"rows with a missing value/weight/group: 4 (e.g. {ex}); pass nan='omit' to drop them")
    with pytest.raises(InequalityInputError) as ei:
        inequality_table(df, by=None)
    assert "（例如 []）" in str(ei.value) and "(e.g. [])" in str(ei.value)


def test_the_value_refusals_of_the_table_are_exact_and_count_the_rows():
    """Infinite and negative values or pupil counts are refused in both languages, the negative
    ones with the number of offending rows (hand: one negative among −1, 0, 0.5 / −1, 0, 1). Kills,
    in _valid_rows, ``isinf(x).any() or isinf(w).any()`` → ``and``, the text mutants of the
    infinite (``None`` / dropped / XX / upper, both languages), negative-weight and negative-value
    messages, and their counts ``< 0`` → ``<= 0`` / ``< 1`` / ``int(None)``; and a note for
    0-pupil rows only where there are some (``k > 0`` → ``k >= 0``)."""
    base = pd.DataFrame({"county": ["A", "A", "B"], "value": [0.5, 1.0, 2.0], "students": [1.0, 1.0, 1.0]})
    cases = [(base.assign(value=[0.5, float("inf"), 2.0]), "数值或学生数中有无穷大 / infinite value or weight"),
             (base.assign(students=[1.0, float("inf"), 1.0]), "数值或学生数中有无穷大 / infinite value or weight"),
             (base.assign(students=[-1.0, 0.0, 1.0]), "学生数不能为负（1 行） / weights (pupils) must not be negative"),
             (base.assign(value=[-1.0, 0.0, 0.5]), "数值不能为负（1 行） / values must not be negative")]
    for df, msg in cases:
        with pytest.raises(InequalityInputError) as ei:
            inequality_table(df, by="county")
        assert str(ei.value) == msg
    t = inequality_table(base.assign(students=[0.0, 1.0, 1.0]), by="county", measures=["gini"])
    assert t["notes"].tolist() == ["已忽略1个学生数为0的单位 / units with 0 pupils ignored: 1", ""]


_MEAN0 = "{m}：均值为0，无定义 / undefined, mean is 0"
_ZNAN = "{m}：有{k}个零值，无定义 / undefined with zero values ({k})"
_MED0 = "{m}：中位数为0，无定义 / undefined, median is 0"
_P5 = "federal_range_ratio：P5为0，无定义 / undefined, P5 is 0"
_MIN0 = "range_ratio：最小值为0，无定义 / undefined, minimum is 0"


def test_the_undefined_notes_name_exactly_the_chosen_measures():
    """Group Z = (0, 0) (mean, median, P5 and minimum 0) and P = (0, 1, 2) (one zero; median 1), unit
    weights. The notes are the templates of table._NOTE filled with the chosen measures and the
    zero counts, in the order mean, zeros, median, P5, minimum. With ``zeros="omit"`` P's L family
    is computed over (1, 2) — hand: L = ½(ln 1.5 + ln 0.75) = ½ ln 1.125 — and noted as omitted,
    while Z (nothing left) stays undefined. Kills in _table_core the measure names of the mean and
    L-family notes (XX / upper, the joiners, ``m=None``, the counts ``nz`` → ``None`` / dropped,
    ``{m}`` → XX / ``{M}``, the omit conditions ``part = …`` and ``undefined = Wp == 1``, ``has &
    undefined`` → ``None`` / ``|``), and in _quantile_measures the names of the median note, the
    ``"federal_range_ratio"`` / ``"range_ratio" in chosen`` tests and the note conditions."""
    df = pd.DataFrame({"g": ["Z", "Z", "P", "P", "P"], "value": [0.0, 0.0, 0.0, 1.0, 2.0]})
    rel, lf, mv = "cv, gini, theil_t, ge_2, atkinson_0_5", "theil_l, atkinson_1", "mcloone, verstegen"
    z_notes = "; ".join([_MEAN0.format(m=rel), _ZNAN.format(m=lf, k=2), _MED0.format(m=mv), _P5, _MIN0])
    t = inequality_table(df, weight=None, by="g").set_index("g")
    assert t.loc["Z", "notes"] == z_notes
    assert t.loc["P", "notes"] == "; ".join([_ZNAN.format(m=lf, k=1), _P5, _MIN0])
    t = inequality_table(df, weight=None, by="g", zeros="omit").set_index("g")
    assert t.loc["Z", "notes"] == z_notes
    assert t.loc["P", "notes"] == "; ".join([f"{lf}：已剔除1个零值 / zero values omitted: 1", _P5, _MIN0])
    assert t.loc["P", "theil_l"] == pytest.approx(0.5 * math.log(1.125), rel=1e-12)
    for chosen, names in ((["gini", "mcloone", "theil_l"], ("gini", "theil_l", "mcloone")),
                          (["cv", "verstegen", "atkinson_1"], ("cv", "atkinson_1", "verstegen")),
                          (["theil_t", "ge_2", "atkinson_0_5"], ("theil_t, ge_2, atkinson_0_5", None, None))):
        t = inequality_table(df, weight=None, by="g", measures=chosen).set_index("g")
        want = [_MEAN0.format(m=names[0])] + ([_ZNAN.format(m=names[1], k=2)] if names[1] else [])
        want += [_MED0.format(m=names[2])] if names[2] else []
        assert t.loc["Z", "notes"] == "; ".join(want), chosen


def test_mcloone_verstegen_without_the_median_and_single_units_and_omit_without_zeros():
    """``include_median=False`` leaves the units at the median out (hand, x = (1, 2, 3), median 2:
    McLoone 1/(2·1) = 0.5, Verstegen 3/(2·1) = 1.5; equal values (2, 2) leave nothing below or
    above: 1.0 by convention). Kills in _quantile_measures ``below``/``above`` with ``or True`` and
    ``xs < mg`` → ``<=``, ``xs > mg`` → ``>=``, and in ``np.where(wb > 0, …, 1.0)`` the ``None``,
    ``>= 0`` and ``2.0`` mutants. A group of one unit with one pupil has Theil L 0 (kills ``lgood
    = … & (Wp > 0)`` → ``Wp > 1``); under ``zeros="omit"`` a group without zeros gets no note (kills
    ``nz > 0`` → ``nz >= 0``). Equal values 0.1 with pupils 1, 2, 4 give CV and Gini exactly 0."""
    df = pd.DataFrame({"g": ["A"] * 3 + ["E"] * 2, "value": [1.0, 2.0, 3.0, 2.0, 2.0]})
    t = inequality_table(df, weight=None, by="g", include_median=False).set_index("g")
    assert t.loc["A", "mcloone"] == pytest.approx(0.5, rel=1e-12)
    assert t.loc["A", "verstegen"] == pytest.approx(1.5, rel=1e-12)
    assert t.loc["E", "mcloone"] == 1.0 and t.loc["E", "verstegen"] == 1.0
    one = pd.DataFrame({"g": ["S", "Q", "Q"], "value": [3.0, 1.0, 2.0], "students": [1, 1, 1]})
    t = inequality_table(one, by="g", zeros="omit", measures=["theil_l", "atkinson_1"]).set_index("g")
    assert t.loc["S", "theil_l"] == 0.0 and t.loc["S", "atkinson_1"] == 0.0
    assert t["notes"].tolist() == ["", ""]
    eq = pd.DataFrame({"value": [0.1, 0.1, 0.1], "students": [1, 2, 4]})
    t = inequality_table(eq, by=None)
    assert t["cv"].tolist() == [0.0] and t["gini"].tolist() == [0.0]
