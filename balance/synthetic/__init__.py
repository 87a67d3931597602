"""模拟数据 Fictional data only: the 示例市 demo prefecture and the national panel."""
