

def test_no_label_quotes_a_threshold_of_one_standard():
    """Labels are shared by every standard: a header such as "达到85%需增加量" would be wrong under a
    provincial floor ratio (sentences that quote a threshold are built in wording.py)."""
    import re

    from balance._resources import DATA_DIR

    text = (DATA_DIR / "labels.yaml").read_text(encoding="utf-8")
    values = [line.split(":", 1)[1].split("#", 1)[0] for line in text.splitlines() if ":" in line]
    assert not [v for v in values if re.search(r"\d+(\.\d+)?\s*%|0\.[45]\d?\b|6\s*项", v)]
