"""Seeing a dispute: the game tree (terminal, SVG, PNG), a dispute monitor with Prometheus
metrics, and a small read-only web view (README.md here lists the metrics and the alerts)."""
