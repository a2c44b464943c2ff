"""The evaluation: dataset → solver → scorer → recorder. A solver is a mode (or the replay of
imported generations), the scorer is the judge, and the recorder owns everything written to the
store; a run is every (model, mode) pair of its configuration."""
