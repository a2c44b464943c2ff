"""The results store (SQLite) and what reads it back: the sample records' rows, the degeneration
signals kept beside each sample, and a sample rendered for the terminal (`harness show`)."""
