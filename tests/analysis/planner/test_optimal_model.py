"""solve_county's programme is built in optimal_model (issue 10 split); the names documented on
balance.analysis.planner.optimal stay importable from there and are the builder's own."""
from balance.analysis.planner import optimal, optimal_model


def test_optimal_keeps_its_public_names():
    # the names the module had before the model moved out stay public (later additions allowed)
    assert {"MARGIN", "GAP", "solve_county", "Certificate"} <= set(optimal.__all__)
    assert {"TIME_LIMIT", "NODE_LIMIT", "BUDGET_NODE_LIMIT"} <= set(optimal.__all__)
    assert optimal.MARGIN is optimal_model.MARGIN
    assert optimal.TEACHER_SUBSETS is optimal_model.TEACHER_SUBSETS


def test_the_model_margin_is_tighter_than_the_limit_by_a_hair():
    # documented in optimal's docstring: CV target = limit − 1e-5 (rounding/CSV safety)
    assert optimal_model.MARGIN == 1e-5
