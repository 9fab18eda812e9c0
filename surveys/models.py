"""What residents need: surveys, questions, responses."""
