"""Dagster orchestration of the juesuan warehouse: thin assets over the juesuan library."""
