"""The judge on the harness's side: one submission against a problem's hidden tests through any
sandbox (judge.py), the program it sends (program.py; the program itself is runner/), warm runners,
the uids it leases, and the key a verdict is reused under (cache.py)."""
