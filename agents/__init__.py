"""The inference modes: reasoning, tool use and agentic, each a module with `solve` and
`prompt_texts`, registered by name in modes.py; the episode loop and tool protocols they share."""
