"""The end-to-end demo: a toy rollup, its fault proof program, and a dispute on the embedded chain."""
