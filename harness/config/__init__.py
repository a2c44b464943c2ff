"""Configuration objects: one frozen dataclass per command, its fields the command's settings.

A field is documented by the docstring under it; a field whose type is itself a dataclass is a
section of its own (`selection:`, `budgets:`). The same classes give the YAML file's keys
(`--config FILE`), the `-c section.key=value` overrides and the command-line flags, so a setting is
declared exactly once. Field metadata, where the defaults do not fit:

- `flag`: the flag's name (default `--` + the field's name with `_` as `-`, less a unit suffix:
  `wall_time_s` is `--wall-time`); `None`: no flag, the file and `-c` only;
- `argument`: a positional argument instead of a flag;
- `metavar`: how the flag's value is shown in help;
- `help`: a function whose text follows the docstring in help (what a registry holds now);
- `flags` (on a section's field): the flags of that section's settings in this command, by name.
"""

from codefront.harness.config.loading import load_config, to_yaml
from codefront.harness.config.schema import Setting, settings_of
from codefront.harness.config.values import ConfigError

__all__ = ["ConfigError", "Setting", "load_config", "settings_of", "to_yaml"]
