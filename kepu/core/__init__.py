"""The bottom layer: the plan as data, filters, progress rules, the matching rule, number parsing and the Chinese
words and number formats everything shares. Pure Python: no store, no files but the plan's, no UI."""
