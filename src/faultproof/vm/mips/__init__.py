"""See the package docstring of faultproof."""
