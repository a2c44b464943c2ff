"""What a model may call in an episode: a Python REPL, files, a shell, the public tests, submit;
each a Tool with its description and schema (base.py)."""
