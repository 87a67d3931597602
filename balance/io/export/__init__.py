"""Writing result files (the contract files other programs read) and Chinese workbooks."""
