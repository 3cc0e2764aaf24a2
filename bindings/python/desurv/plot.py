"""desurv.plot: matplotlib figures.  Placeholder: being written (issue 5)."""
