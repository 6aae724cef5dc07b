"""Reading the spreadsheets people upload: one streaming reader, with limits, shared by every import.

app.imports.sheets.read_sheet turns a CSV or XLSX file into a Sheet (a header row
and numbered rows of text), refusing a file as soon as it passes a limit
(app.imports.sheet.SheetLimits) rather than after reading all of it. The importers
(checklists, crime figures, the peer register) check the rows; this package only
reads them, safely, whatever the file holds.
"""
