"""The check: which words in staff text reveal that the customer is watched, and a question-led rewrite.

rules (the YAML rule data), sentences (splitting and words), detect (the rule
detectors and the Checker), rewrite (the question), view (the terminal view).
"""
from .detect import CheckResult, Checker, Hit, check, default_checker
from .fold import fold, folded
from .rules import Rule, collect_rules, load_rules, parse_rules, rule_files
from .view import format_text

__all__ = ["Checker", "CheckResult", "Hit", "check", "default_checker", "Rule", "collect_rules", "load_rules",
           "parse_rules", "rule_files", "format_text", "fold", "folded"]
