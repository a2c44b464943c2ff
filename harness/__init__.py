"""The spine: the `harness` command (cli/), configuration objects (config/), problems (problems/), the
evaluation (eval/) and where it runs (executors/), the judge (judge/), models (models/), the results
store (results/) and reports (report/)."""
