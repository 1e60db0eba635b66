"""Stage 5, the normal form: endpoints (host/port), unsafe hosts (public suffixes, look-
alikes) and approval durations. Pure functions, no I/O.
"""
