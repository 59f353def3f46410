"""Store stage: persistence. SQLite (WAL, versioned migrations) is the embedded default."""
