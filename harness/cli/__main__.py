"""`python -m codefront.harness.cli ...` is `harness ...` (what `accelerate launch -m` runs)."""

from codefront.harness.cli import app

if __name__ == "__main__":
    app()
