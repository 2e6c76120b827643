"""The console's pages, one module per part of the work (independent of one another)."""
