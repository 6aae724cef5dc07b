"""Turning a cycle's answers into scores, gaps and comparisons.

Everything here is a pure function of pandas DataFrames and questionnaire
definitions: no Flask, no database. The services that feed it read each cycle's
answers in one query (see app/results/loading.py), so the same rules give the
same figures on a page, in a workbook and in a test.
"""
