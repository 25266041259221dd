"""The store: the one place SQL runs (db), the DuckDB file and its schema (store), what it knows of the plan
(catalog), named queries, users and the audit log, and who holds the file (locks). Uses kepu.core only."""
