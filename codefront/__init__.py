"""Import namespace for the harness distribution: codefront.records, .harness, .agents, .tools, .sandbox, .training."""
