"""Reports over a results store: metrics, the α view, matched-budget ensembles, complementarity,
paired comparisons, and their tables, plots, HTML and CSV/JSON exports."""
