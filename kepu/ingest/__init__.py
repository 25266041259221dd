"""Reporting in: reading an uploaded file within bounds (reading and its readers), checking its rows (validation)
against what each plan's rows may name (vocabulary), committing them as undoable batches (batches), and the
templates clerks fill in."""
