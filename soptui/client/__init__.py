"""The client side: what the terminal app and the CLI use to reach the server.
No SQLAlchemy and no soptui.db here (a test holds it)."""
