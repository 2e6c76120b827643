"""Complaints: intake, routing, lifecycle and deadlines."""
