"""Turning Prometheus answers into float64 arrays. The only importer of prometheus_api_client."""
