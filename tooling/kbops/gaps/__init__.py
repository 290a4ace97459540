"""Knowledge gaps: the escalations the KB failed on, grouped into named, ranked topics."""
