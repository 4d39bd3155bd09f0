"""File formats: each module parses one of ELLA's formats into plain data and validates it.

Parsers never touch the database. Every problem is an InputError naming the file, the line or entry,
and the key.
"""
