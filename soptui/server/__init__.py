"""The server: the one process that opens the database (see serve.py)."""
