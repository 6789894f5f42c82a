"""Faithfulness flags: numbers, amounts, dates and names in an output that its source does not support.

Model-free and language-aware (Vietnamese and English): facts are extracted from both texts and
normalised to values (``1,5 triệu`` = ``1.5 million`` = 1,500,000; ``27/12/2022`` = ``December 27,
2022``; ``Lê Trí Thanh`` = ``Le Tri Thanh``), then each fact of the output is looked up in the source.
Flags point at the output; they never change it.
"""

from tomtat.models.facts.check import Flag, check_pair, check_summary, check_translation
from tomtat.models.facts.extract import Fact, extract_facts

__all__ = ["Fact", "Flag", "check_pair", "check_summary", "check_translation", "extract_facts"]
