"""Making checkpoints: GRPO on the nested-coverage reward (grpo.py, reward.py), its configuration
and presets, streaming weight averaging (merge*.py) and the pipeline from one base to a frontier."""
