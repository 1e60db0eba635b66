"""Bad-input corpus for the loader: tags, merge keys, escapes, nesting, sizes and
empty documents. Expected outcomes are written by hand; where kubectl can decide
what the cluster reads, the test asks it (offline) too."""
