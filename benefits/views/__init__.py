"""Benefits pages: each parses input, calls one service or selector, and renders the result.

Out-of-scope records answer 404 (the selectors never return them); a refused action answers 403 (wrong role)
or shows the service's message next to the form (wrong state, bad input) — and nothing has changed.
"""
