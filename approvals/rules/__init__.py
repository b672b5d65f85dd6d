"""Reviewer rules: their fields declared once, the rules file (TOML import and export), the rule-change log.

The admin and `import_rules` both save a rule through `rules.services.rule_save`.
"""
