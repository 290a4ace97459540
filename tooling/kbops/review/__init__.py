"""Quality sampling and review: which agent decisions specialists grade, and the local review UI that records their verdicts in the review log."""
