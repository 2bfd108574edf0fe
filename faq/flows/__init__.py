"""Guided self-checks ("flows"): decision trees of button questions, declared in YAML.

model.py says what a flow is, loading.py reads the files, engine.py turns a button's target into
the next view, checks.py finds what is wrong across flows and entries. Staff guide:
docs/staff-guide.md.
"""
