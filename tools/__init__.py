"""Build and test tools of the collection (not imported by the notebooks)."""
