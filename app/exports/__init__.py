"""Exports for auditors: the cycle workbook and the Responses CSV, as pure functions of plain data.

The data comes from app/export_jobs/sources.py; nothing here touches Flask or the database.
"""
