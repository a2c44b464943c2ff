"""The judge's program inside the sandbox: standard library only, so a sandbox needs nothing but
its interpreter. `harness/judge/program.py` sends these modules as one `python3 -I -S -B -c`
program, loaded under their bare names (`wire`, `checkers`, ...), which is how they import each
other; `main.py` runs the job. The harness imports `wire` (the job and the events) and `checkers`
(the registry of comparisons) from here by their package names."""
