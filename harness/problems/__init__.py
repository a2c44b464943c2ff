"""Where problems come from and which are used: the file formats and hub datasets (loaders/), the
built-in suite (builtin/), the selection by id, difficulty, date and platform, and limits
calibrated to the machine."""
