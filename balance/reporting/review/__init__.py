"""The review package of a county (issue 14 §4): the application form (申报表.xlsx) and the
self-assessment report draft (自评报告.html / .docx), both from one set of numbers
(:func:`~balance.reporting.review.facts.review_facts`)."""
from balance.reporting.review.application import FILE_NAME as APPLICATION_FILE
from balance.reporting.review.application import write_application
from balance.reporting.review.facts import ReviewFacts, review_facts
from balance.reporting.review.render import DOCX_FILE, HTML_FILE, report_docx, report_html, write_self_report
from balance.reporting.review.self_report import report_blocks

__all__ = ["APPLICATION_FILE", "DOCX_FILE", "HTML_FILE", "ReviewFacts", "report_blocks", "report_docx", "report_html",
           "review_facts", "write_application", "write_self_report"]
