"""Import namespace for the harness distribution: codefront.harness, .agents, .tools, .sandbox, .training."""
